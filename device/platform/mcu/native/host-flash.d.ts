/** NOR flash in a host file (device/platform/mcu/c/host-flash.c); every call throws on failure or a broken NOR rule. */
declare module 'mcu/host-flash' {
  export function open(path: string, writable: boolean): number;
  export function length(handle: number): number;
  export function read(handle: number, offset: number, view: Uint8Array): void;
  export function program(handle: number, offset: number, view: Uint8Array): void;
  export function erase(handle: number, sector: number): void;
  export function close(handle: number): void;
  export function operations(): number;
}
