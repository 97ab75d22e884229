/**
 * Port failures that are not power cuts (ports.ts: every call may throw): wrappers that
 * make a port call throw, without touching what is under it, whenever `fails()` says so.
 * No Node API: runs inside XS too.
 */
import type { Flash, OtaTransport, Power } from '../device/ports.js';

export function thrown(message: string): never {
  throw new Error(message);
}

/** A flash whose programs fail (a driver error: the chip is not touched). */
export function failingFlash(flash: Flash, fails: () => boolean): Flash {
  return {
    size: flash.size,
    sectorSize: flash.sectorSize,
    writeAlign: flash.writeAlign,
    erasedValue: flash.erasedValue,
    read: (o, into) => flash.read(o, into),
    erase: (sector) => flash.erase(sector),
    program: (o, data) => (fails() ? thrown('flash program failed') : flash.program(o, data)),
  };
}

/**
 * How a worn sector fails, persistently (every erase, every time):
 * - `erase-fails`: the driver reports every erase of it as failed (erase timeout / status
 *   error, as ESP-IDF's `esp_flash_erase_region` returns ESP_ERR_FLASH_OP_FAIL);
 * - `stuck-bit`: erases and programs "succeed", but one bit of its first byte is stuck at
 *   the programmed value: that byte never reads erased, and a program that wants the bit
 *   erased reads back wrong.
 * The chip under it is not touched: its operation count, wear and misuse record stay true.
 */
export type WornSectorMode = 'erase-fails' | 'stuck-bit';

/** A flash with one worn sector (absolute sector index); `onErase` is told of each erase attempt on it. */
export function wornSector(flash: Flash, sector: number, mode: WornSectorMode, onErase?: () => void): Flash {
  const start = sector * flash.sectorSize;
  // The stuck bit is bit 0, held at the programmed value (0 on 0xFF-erased parts, 1 on 0x00-erased ones).
  const stuck = (b: number) => (flash.erasedValue === 0xff ? b & 0xfe : b | 0x01);
  return {
    size: flash.size,
    sectorSize: flash.sectorSize,
    writeAlign: flash.writeAlign,
    erasedValue: flash.erasedValue,
    read: (o, into) => {
      flash.read(o, into);
      if (mode === 'stuck-bit' && start >= o && start < o + into.length) into[start - o] = stuck(into[start - o]);
    },
    erase: (s) => {
      if (s === sector) {
        onErase?.();
        if (mode === 'erase-fails') thrown('flash erase failed');
      }
      flash.erase(s);
    },
    program: (o, data) => flash.program(o, data),
  };
}

/** A supply whose readings fail (a gauge that does not answer). */
export function failingPower(power: Power, fails: () => boolean): Power {
  return {
    source: () => (fails() ? thrown('power read failed') : power.source()),
    level: () => (fails() ? thrown('power read failed') : power.level()),
    lowWarning: () => (fails() ? thrown('power read failed') : power.lowWarning()),
  };
}

/** A transport whose sends fail (the stack's queue is full). */
export function failingTransport(transport: OtaTransport, fails: () => boolean): OtaTransport {
  return {
    send: (f) => (fails() ? thrown('send queue full') : transport.send(f)),
    onReceive: (h) => transport.onReceive(h),
  };
}
