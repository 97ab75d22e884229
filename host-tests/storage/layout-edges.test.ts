/** makeLayout's refusals, each with its message, at the edges of what it admits; inactiveBank's. */
import { describe, expect, it } from 'vitest';
import { OtaError } from '../../device/errors.js';
import { inactiveBank, makeLayout, sectorsNeeded, type LayoutConfig } from '../../device/storage/layout.js';

const config: LayoutConfig = { bankSize: 8192, metadataSize: 4096 };
const flashOf = (
  sectorSize: number,
  over: Partial<{ size: number; writeAlign: number; erasedValue: number }> = {},
) => ({
  size: over.size ?? sectorsNeeded(sectorSize, config) * sectorSize,
  sectorSize,
  writeAlign: over.writeAlign ?? 4,
  erasedValue: (over.erasedValue ?? 0xff) as 0xff | 0x00,
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtaError) return e.message;
    throw e;
  }
  return 'no refusal';
}

describe('makeLayout edges', () => {
  it('sector sizes: powers of two from 256 up; 128, 384 and 256.5 refused', () => {
    expect(makeLayout(flashOf(256), config).sectorSize).toBe(256);
    for (const s of [128, 384, 256.5]) {
      expect(message(() => makeLayout(flashOf(s, { size: 1 << 20 }), config))).toBe(
        `STORAGE_LAYOUT: sector size ${s} is not a power of two >= 256`,
      );
    }
  });

  it('write units of 1 to 16 bytes; 3 and 32 refused', () => {
    for (const a of [1, 2, 4, 8, 16]) expect(makeLayout(flashOf(4096, { writeAlign: a }), config).writeAlign).toBe(a);
    for (const a of [3, 32])
      expect(message(() => makeLayout(flashOf(4096, { writeAlign: a }), config))).toBe(
        `STORAGE_LAYOUT: write alignment ${a} unsupported`,
      );
  });

  it('erased value 0xFF or 0x00 only', () => {
    expect(makeLayout(flashOf(4096, { erasedValue: 0x00 }), config).erasedValue).toBe(0x00);
    expect(message(() => makeLayout(flashOf(4096, { erasedValue: 0x55 }), config))).toBe(
      'STORAGE_LAYOUT: erased value must be 0xFF or 0x00',
    );
  });

  it('bank and metadata sizes must be positive', () => {
    for (const c of [
      { bankSize: 0, metadataSize: 4096 },
      { bankSize: 8192, metadataSize: 0 },
    ]) {
      expect(message(() => makeLayout(flashOf(4096, { size: 1 << 20 }), c))).toBe(
        'STORAGE_LAYOUT: bank and metadata sizes must be positive',
      );
    }
  });

  it('a flash one sector short is refused, naming both sizes; exactly enough is taken', () => {
    const exact = flashOf(4096);
    expect(makeLayout(exact, config).used).toBe(exact.size);
    expect(message(() => makeLayout({ ...exact, size: exact.size - 4096 }, config))).toBe(
      `STORAGE_LAYOUT: layout needs ${exact.size} bytes, flash has ${exact.size - 4096}`,
    );
  });

  it('inactiveBank refuses a running bank that is not 0 or 1', () => {
    const layout = makeLayout(flashOf(4096), config);
    expect(inactiveBank(layout, 0).index).toBe(1);
    expect(inactiveBank(layout, 1).index).toBe(0);
    expect(message(() => inactiveBank(layout, 2))).toBe('STORAGE_RUNNING_BANK: running bank 2 is not 0 or 1');
  });
});
