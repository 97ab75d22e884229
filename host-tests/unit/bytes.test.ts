/**
 * The text and hex helpers devices use instead of TextEncoder/TextDecoder/Buffer: the same
 * answers as Node's, at every length (they build long strings in pieces, see bytes.ts).
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8Decode, utf8Encode } from '../../device/util/bytes.js';
import { Rng } from '../harness/rng.js';

const rng = new Rng(14);
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
/** Text mixing 1-, 2-, 3- and 4-byte characters. */
const sample = (n: number) => Array.from({ length: n }, (_, i) => ['a', 'é', '€', '😀', 'Z'][i % 5]).join('');

describe('hex', () => {
  it('toHex and fromHex agree with Buffer on lengths around the piece size', () => {
    for (const n of [0, 1, 511, 512, 513, 1024, 5000]) {
      const b = randomBytes(n);
      const hex = Buffer.from(b).toString('hex');
      expect(toHex(b)).toBe(hex);
      expect(fromHex(hex)).toEqual(b);
      expect(fromHex(hex.toUpperCase())).toEqual(b);
    }
  });

  it('fromHex ignores white space and refuses odd lengths and non-hex characters', () => {
    expect(fromHex('0a 0b\n0c')).toEqual(new Uint8Array([10, 11, 12]));
    expect(() => fromHex('abc')).toThrow(RangeError);
    expect(() => fromHex('zz')).toThrow(RangeError);
  });
});

describe('UTF-8', () => {
  it('utf8Encode and utf8Decode agree with TextEncoder and TextDecoder across the piece size', () => {
    for (const n of [0, 1, 1023, 1024, 1025, 4096, 10_001]) {
      const s = sample(n);
      const bytes = new TextEncoder().encode(s);
      expect(utf8Encode(s)).toEqual(bytes);
      expect(utf8Decode(bytes)).toBe(s);
    }
  });

  it('a lone surrogate is encoded as its own three bytes (WTF-8), a pair as one four-byte character', () => {
    expect(toHex(utf8Encode('\ud800'))).toBe('eda080');
    expect(toHex(utf8Encode('a\udc00b'))).toBe('61edb08062');
    expect(toHex(utf8Encode('\ud83d\ude00'))).toBe('f09f9880');
  });

  it('utf8Decode refuses what a fatal TextDecoder refuses', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const cases = ['c0af', 'e08080', 'eda080', 'f4908080', 'f8', '80', 'e282', 'c3'];
    for (const hex of cases) {
      const b = fromHex(hex);
      expect(() => fatal.decode(b)).toThrow();
      expect(utf8Decode(b)).toBeUndefined();
    }
    // An invalid byte far past the first piece still refuses the whole input.
    const long = new Uint8Array(3000).fill(0x61);
    long[2500] = 0xff;
    expect(utf8Decode(long)).toBeUndefined();
  });
});
