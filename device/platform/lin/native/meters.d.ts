// Type of the native lin/meters module (meters.js, meters.c).
declare module 'lin/meters' {
  export default function meters(into: ArrayBuffer): void;
}
