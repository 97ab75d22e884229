/** The version and variant the MCU image was linked with (device/platform/mcu/c/build-id.c). */
declare module 'mcu/build-id' {
  export function version(): number;
  /** 'good', 'selftest-fail' or 'exit-at-start'. */
  export function variant(): string;
}
