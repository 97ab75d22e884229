/** util/bytes equalBytes: the 8-byte, word-at-a-time and byte paths agree with a plain comparison. */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../device/util/bytes.js';

describe('equalBytes', () => {
  it('finds a difference in any byte, on aligned, unaligned and short views', () => {
    const base = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    for (const [offset, length] of [
      [0, 256],
      [4, 100],
      [1, 64],
      [3, 37],
      [0, 31],
      [0, 64],
      [4, 60],
      [0, 0],
      [8, 292],
    ] as const) {
      const a = base.subarray(offset, offset + length);
      const copy = new Uint8Array(length + 5).subarray(5 - (offset & 3), 5 - (offset & 3) + length);
      copy.set(a);
      expect(equalBytes(a, copy)).toBe(true);
      for (const at of [0, length >> 1, length - 1].filter((x) => x >= 0 && x < length)) {
        const other = copy.slice();
        other[at] ^= 0x80;
        expect(equalBytes(a, other)).toBe(false);
      }
    }
  });

  // The 8-byte reads compare doubles: +0 and -0 compare equal with different bits, and NaN
  // never equals itself. Words that are such doubles must still be compared exactly.
  it('tells +0 from -0 and NaNs apart, and finds equal NaN and zero words equal', () => {
    const f = new Float64Array(32);
    f.fill(1.5);
    const cases: [number, number][] = [
      [0, -0],
      [-0, -0],
      [0, 0],
      [Number.NaN, Number.NaN],
    ];
    for (const [x, y] of cases) {
      const a = new Float64Array(f);
      const b = new Float64Array(f);
      a[9] = x;
      b[9] = y;
      const ua = new Uint8Array(a.buffer);
      const ub = new Uint8Array(b.buffer);
      expect(equalBytes(ua, ub), `${Object.is(x, -0) ? '-0' : x} vs ${Object.is(y, -0) ? '-0' : y}`).toBe(
        plainEqual(ua, ub),
      );
    }
    // Two NaNs with different payloads: not equal, though neither compares equal to anything.
    const a = new Uint8Array(256).fill(0x11);
    const b = a.slice();
    a.set([0, 0, 0, 0, 0, 0, 0xf8, 0x7f], 64);
    b.set([1, 0, 0, 0, 0, 0, 0xf8, 0x7f], 64);
    expect(equalBytes(a, b)).toBe(false);
    b[64] = 0;
    expect(equalBytes(a, b)).toBe(true);
    // NaNs that differ in the sign bit only (the other 32-bit half), and erased flash (all 0xFF).
    b[71] = 0xff;
    expect(equalBytes(a, b)).toBe(false);
    const erased = new Uint8Array(256).fill(0xff);
    expect(equalBytes(erased, erased.slice())).toBe(true);
    const almost = erased.slice();
    almost[200] = 0xfe;
    expect(equalBytes(erased, almost)).toBe(false);
  });

  it('agrees with a plain comparison on random views, one byte changed or none', () => {
    let x = 0x2545f491;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (let round = 0; round < 400; round++) {
      const length = next() % 300;
      // Mostly 8-byte aligned (the double path), some 4-aligned and unaligned.
      const offsets = [0, 8, 0, 16, 4, 1, 3];
      const offA = offsets[next() % offsets.length];
      const offB = offsets[next() % offsets.length];
      const a = new Uint8Array(length + offA).subarray(offA);
      // Zero-heavy and 0xff-heavy contents too: erased flash and zero runs in firmware.
      const fill = round % 3;
      for (let i = 0; i < length; i++) a[i] = fill === 0 ? next() & 0xff : fill === 1 ? 0 : 0xff;
      const b = new Uint8Array(length + offB).subarray(offB);
      b.set(a);
      if (length > 0 && round % 2 === 0) b[next() % length] ^= 1 << (next() % 8);
      expect(equalBytes(a, b)).toBe(plainEqual(a, b));
    }
  });

  it('is false for different lengths', () => {
    expect(equalBytes(new Uint8Array(32), new Uint8Array(33))).toBe(false);
  });
});

function plainEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
