// Host type-checking of device/platform/moddable/flash.ts: ECMA-419 `embedded:storage/flash`
// as the Moddable SDK's typings declare it (typings/embedded/storage/flash.d.ts); the npm
// @moddable/typings package lacks it. `writeAlign` and `eraseValue` are optional here:
// the ESP32 implementation of SDK 8.2.3 reports only size, blockLength and blocks.
declare module 'embedded:storage/flash' {
  export interface FlashStatus {
    size: number;
    blockLength: number;
    blocks: number;
    writeAlign?: number;
    eraseValue?: number;
  }
  export interface FlashPartition {
    close(): void;
    eraseBlock(start: number, end?: number): void;
    read(byteLength: number, byteOffset: number): ArrayBuffer;
    read(buffer: ArrayBufferView | ArrayBuffer, byteOffset: number): number;
    write(buffer: ArrayBufferView | ArrayBuffer, byteOffset: number): void;
    status(): FlashStatus;
  }
  const FlashStorage: {
    open(options: { path: string; mode?: 'r' | 'r+' }): FlashPartition;
  };
  export default FlashStorage;
}
