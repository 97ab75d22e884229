/** The link to the supervisor over UART 1 (device/platform/mcu/c/link-uart.c). */
declare module 'mcu/link-uart' {
  /** Enables the UART; `onReceived` gets each whole link-protocol message (or a refused length's 4 bytes). */
  export function open(onReceived: (message: ArrayBuffer) => void): void;
  /** Sends every byte of the view. */
  export function write(view: Uint8Array): void;
  export function close(): void;
}
