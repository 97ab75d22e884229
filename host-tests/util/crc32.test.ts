/** util/crc32 against Node's zlib.crc32 (the same IEEE 802.3 CRC-32): ranges, chaining and seeds above 2^31. */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../device/util/crc32.js';

describe('crc32', () => {
  it('gives the check value of "123456789" and of nothing', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with zlib on random ranges, chained in two calls or in one', () => {
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const data = new Uint8Array(600).map(() => next() & 0xff);
    for (let round = 0; round < 200; round++) {
      const start = next() % data.length;
      const end = start + (next() % (data.length - start + 1));
      const whole = crc32(data, start, end);
      expect(whole).toBe(zlibCrc32(data.subarray(start, end)));
      expect(whole).toBeGreaterThanOrEqual(0);
      const mid = start + Math.floor((end - start) / 2);
      // The first part's CRC (often above 2^31) is the seed of the second.
      expect(crc32(data, mid, end, crc32(data, start, mid))).toBe(whole);
    }
  });
});
