/**
 * Flash port on ESP32 over ECMA-419 `embedded:storage/flash`, opened the way the SDK's
 * own code opens it (`flash.open({ path })`, modules/io/flash/esp32, and
 * examples/io/listener/httpserverota), on the partition named `path`: the agent's region
 * (banks, metadata, boot record, journal). The build adds
 * "$(MODDABLE)/modules/io/flash/manifest.json" (manifest.json, esp32 block).
 *
 * The SDK gives this module on esp32, mac and zephyr only; lin has none (the lin build
 * uses a file-backed port). Reads and writes pass the caller's views straight through
 * (the native side honours a view's offset), so no copy is made. Every native failure
 * ("write failed", "erase failed", a range outside the partition) is a throw, which the
 * agent handles (device/ports.ts). ESP32's `esp_partition_write` does not check alignment,
 * so the port refuses an unaligned program itself, as the contract (device/conformance/
 * flash-suite.ts) expects.
 */
import flash from 'embedded:storage/flash';
import type { Flash } from '../../ports.js';

/**
 * `writeAlign` and `erasedValue` come from the partition's `status()` where the platform
 * reports them (the ECMA-419 fields), otherwise from these arguments: 4 and 0xFF suit
 * ESP32 SPI flash without flash encryption (with encryption, 16).
 */
export function openFlash(path: string, writeAlign = 4, erasedValue: 0xff | 0x00 = 0xff): Flash {
  const storage = flash.open({ path, mode: 'r+' });
  const status = storage.status();
  const align = status.writeAlign ?? writeAlign;
  const erased = status.eraseValue === 0x00 || status.eraseValue === 0xff ? status.eraseValue : erasedValue;
  const sectors = status.size / status.blockLength;
  return {
    size: status.size,
    sectorSize: status.blockLength,
    writeAlign: align,
    erasedValue: erased,
    read(offset, into) {
      storage.read(into, offset);
    },
    erase(sector) {
      if (!Number.isInteger(sector) || sector < 0 || sector >= sectors)
        throw new RangeError(`erase of sector ${sector} outside 0..${sectors - 1}`);
      storage.eraseBlock(sector);
    },
    program(offset, data) {
      if (offset % align !== 0 || data.length % align !== 0)
        throw new RangeError(`unaligned program ${offset}+${data.length} (align ${align})`);
      storage.write(data, offset);
    },
  };
}
