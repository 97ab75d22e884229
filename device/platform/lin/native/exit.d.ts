// Type of the native lin/exit module (exit.js, exit.c).
declare module 'lin/exit' {
  export default function exit(code: number): void;
}
