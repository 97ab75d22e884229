// Host type-checking of device/main.ts and device/platform/moddable/: the few Moddable
// modules and globals they use, as the SDK's typings declare them (mcconfig checks the
// same files against the SDK's own typings when it builds for a device).
declare module 'crypt' {
  export class Digest {
    constructor(algorithm: string);
    write(data: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
declare module 'timer' {
  const Timer: {
    set(callback: () => void, delay?: number, repeat?: number): unknown;
    clear(id: unknown): void;
  };
  export default Timer;
}
declare module 'time' {
  const Time: { readonly ticks: number };
  export default Time;
}
declare function trace(...args: unknown[]): void;
