/**
 * The lin Flash port (device/platform/lin/file-flash.ts) over an in-memory file: NOR rules,
 * alignment, range, the fsync points, a failing file, and the fault injector (clean and
 * torn cuts end the "process" at the chosen operation, torn ones after part of the bytes).
 */
import { describe, expect, it } from 'vitest';
import { FileFlash, type FileLike } from '../../../device/platform/lin/file-flash.js';
import { LinError } from '../../../device/platform/lin/lin-errors.js';
import { isOtaError, type OtaErrorCode } from '../../../device/errors.js';

const GEOMETRY = { size: 4 * 4096, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };

class MemFile implements FileLike {
  bytes = new Uint8Array(GEOMETRY.size).fill(0xff);
  /** Every call, in order: 'r', 'w@offset+length', 'sync'. */
  log: string[] = [];
  failWrites = false;
  read(into: Uint8Array, position: number): void {
    this.log.push('r');
    into.set(this.bytes.subarray(position, position + into.length));
  }
  write(from: Uint8Array, position: number): void {
    if (this.failWrites) throw new Error('EIO');
    this.log.push(`w@${position}+${from.length}`);
    this.bytes.set(from, position);
  }
  flush(): void {
    this.log.push('sync');
  }
}

class Ended extends Error {}

function expectCode(f: () => void, code: OtaErrorCode): void {
  try {
    f();
  } catch (e) {
    expect(isOtaError(e, code), String(e)).toBe(true);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('lin FileFlash', () => {
  it('erases to the erased value and programs onto erased bytes only', () => {
    const file = new MemFile();
    const flash = new FileFlash(file, GEOMETRY, 4096);
    file.bytes.fill(0x00, 8192, 12288);
    flash.erase(2);
    expect(file.bytes.subarray(8192, 12288).every((b) => b === 0xff)).toBe(true);
    flash.program(8192, new Uint8Array([1, 2, 3, 4]));
    const back = new Uint8Array(4);
    flash.read(8192, back);
    expect([...back]).toEqual([1, 2, 3, 4]);
    // Programming the same bytes again is a NOR violation, even with the same values: nothing is written.
    const before = file.bytes.slice();
    expectCode(() => flash.program(8192, new Uint8Array([1, 2, 3, 4])), LinError.flashNotErased);
    expect(file.bytes).toEqual(before);
  });

  it('refuses unaligned, out-of-range and non-integer accesses', () => {
    const flash = new FileFlash(new MemFile(), GEOMETRY, 4096);
    expectCode(() => flash.program(2, new Uint8Array(4)), LinError.flashRange);
    expectCode(() => flash.program(0, new Uint8Array(3)), LinError.flashRange);
    expectCode(() => flash.program(GEOMETRY.size - 4, new Uint8Array(8)), LinError.flashRange);
    expectCode(() => flash.read(GEOMETRY.size - 1, new Uint8Array(2)), LinError.flashRange);
    expectCode(() => flash.erase(4), LinError.flashRange);
    expectCode(() => flash.erase(1.5), LinError.flashRange);
    expectCode(() => flash.erase(-1), LinError.flashRange);
  });

  it('syncs every erase, and a control-region program before (when bank bytes are pending) and after', () => {
    const file = new MemFile();
    const flash = new FileFlash(file, GEOMETRY, 4096);
    flash.erase(1);
    expect(file.log.at(-1)).toBe('sync');
    file.log = [];
    flash.program(4096, new Uint8Array(8)); // bank: left to the next sync
    expect(file.log).not.toContain('sync');
    flash.program(0, new Uint8Array(4)); // control region: pending bank bytes first, then itself
    const w = file.log.indexOf('w@0+4');
    expect(file.log.slice(w - 1, w + 2)).toEqual(['sync', 'w@0+4', 'sync']);
  });

  it('turns a failing file into LIN_FLASH_IO', () => {
    const file = new MemFile();
    const flash = new FileFlash(file, GEOMETRY, 4096);
    file.failWrites = true;
    expectCode(() => flash.erase(0), LinError.flashIo);
    expectCode(() => flash.program(0, new Uint8Array(4)), LinError.flashIo);
  });

  it('a clean cut ends the process before its operation touches the file', () => {
    const file = new MemFile();
    const flash = new FileFlash(file, GEOMETRY, 0, {
      at: 1,
      torn: false,
      seed: 7,
      end: () => {
        throw new Ended();
      },
    });
    flash.program(4096, new Uint8Array([1, 2, 3, 4]));
    const before = file.bytes.slice();
    expect(() => flash.program(4100, new Uint8Array([5, 6, 7, 8]))).toThrow(Ended);
    expect(file.bytes).toEqual(before);
  });

  it('a torn program writes some of its bytes, never all, then ends the process', () => {
    for (let seed = 0; seed < 20; seed++) {
      const file = new MemFile();
      const flash = new FileFlash(file, GEOMETRY, 0, {
        at: 0,
        torn: true,
        seed,
        end: () => {
          throw new Ended();
        },
      });
      const data = new Uint8Array(64).fill(0x11);
      expect(() => flash.program(4096, data)).toThrow(Ended);
      const written = file.bytes.subarray(4096, 4096 + 64).filter((b) => b === 0x11).length;
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(64);
    }
  });

  it('a torn erase leaves part of the sector erased', () => {
    const file = new MemFile();
    file.bytes.fill(0x00);
    const flash = new FileFlash(file, GEOMETRY, 0, {
      at: 0,
      torn: true,
      seed: 1234,
      end: () => {
        throw new Ended();
      },
    });
    expect(() => flash.erase(1)).toThrow(Ended);
    const erased = file.bytes.subarray(4096, 8192).filter((b) => b === 0xff).length;
    expect(erased).toBeGreaterThan(0);
    expect(erased).toBeLessThan(4096);
  });
});
