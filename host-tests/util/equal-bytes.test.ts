/** util/bytes equalBytes: the word-at-a-time path and the byte path agree with a plain comparison. */
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

  it('is false for different lengths', () => {
    expect(equalBytes(new Uint8Array(32), new Uint8Array(33))).toBe(false);
  });
});
