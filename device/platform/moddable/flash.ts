/**
 * Flash port on ESP32 (and the simulator) over ECMA-419 `embedded:storage/flash`, on the
 * partition named `path` (the agent's region: banks, metadata, boot record, journal).
 */
import type { Flash } from '../../ports.js';

declare const device: { flash: { open(options: { path: string }): FlashStorage } } | undefined;

interface FlashStorage {
  read(length: number, offset: number): ArrayBuffer;
  write(data: ArrayBufferView | ArrayBuffer, offset: number): void;
  eraseBlock(block: number): void;
  status(): { size: number; blockLength: number };
}

export function openFlash(path: string, writeAlign = 4, erasedValue: 0xff | 0x00 = 0xff): Flash {
  if (!device) throw new Error('no embedded:storage on this platform');
  const storage = device.flash.open({ path });
  const { size, blockLength } = storage.status();
  return {
    size,
    sectorSize: blockLength,
    writeAlign,
    erasedValue,
    read(offset, into) {
      into.set(new Uint8Array(storage.read(into.length, offset)));
    },
    erase(sector) {
      storage.eraseBlock(sector);
    },
    program(offset, data) {
      storage.write(data, offset);
    },
  };
}
