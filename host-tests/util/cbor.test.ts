/** The device's strict deterministic CBOR codec, checked against cbor-x as the oracle. */
import { Decoder, Encoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { fromHex, toHex } from '../../device/util/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../device/util/cbor.js';

const oracle = new Decoder({ mapsAsObjects: false, useRecords: false });

function code(hex: string): string {
  try {
    decodeCbor(fromHex(hex));
    return 'accepted';
  } catch (e) {
    return isOtaError(e) ? e.code : `untyped ${String(e)}`;
  }
}

describe('deterministic CBOR', () => {
  it('encodes RFC 8949 Appendix A integers, strings and containers with shortest heads', () => {
    const cases: [CborValue, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [100, '1864'],
      [1000, '1903e8'],
      [1000000, '1a000f4240'],
      [1000000000000, '1b000000e8d4a51000'],
      [2 ** 53 - 1, '1b001fffffffffffff'],
      [-1, '20'],
      [-1000, '3903e7'],
      ['', '60'],
      ['IETF', '6449455446'],
      [new Uint8Array([1, 2, 3, 4]), '4401020304'],
      [[1, [2, 3], [4, 5]], '8301820203820405'],
      [false, 'f4'],
      [true, 'f5'],
      [null, 'f6'],
      ['\u00fc', '62c3bc'],
      ['\ud800\udd51', '64f0908591'],
    ];
    for (const [v, hex] of cases) {
      expect(toHex(encodeCbor(v))).toBe(hex);
      expect(toHex(encodeCbor(decodeCbor(fromHex(hex))))).toBe(hex);
    }
  });

  it('sorts map keys bytewise (integers before text, shorter first) and cbor-x reads the result', () => {
    const m = new Map<number | string, CborValue>([
      ['b', 1],
      [10, 2],
      [-1, 3],
      [100, 4],
      [1, 5],
      ['a', 6],
    ]);
    const bytes = encodeCbor(m);
    expect(toHex(bytes)).toBe('a6' + '0105' + '0a02' + '1864' + '04' + '2003' + '616106' + '616201');
    const back = oracle.decode(bytes) as Map<unknown, unknown>;
    expect([...back.keys()]).toEqual([1, 10, 100, -1, 'a', 'b']);
  });

  it('writes large and nested values byte for byte as cbor-x reads them, in a buffer of exactly their size', () => {
    const big = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const value = new Map<number | string, CborValue>([
      [2, big],
      [1, [new Uint8Array(300).fill(9), 'ü'.repeat(200), -(2 ** 40), 2 ** 50]],
      ['k', new Map<number, CborValue>([[0, big.subarray(5, 1800)]])],
    ]);
    const bytes = encodeCbor(value);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
    const back = oracle.decode(bytes) as Map<unknown, unknown>;
    expect([...back.keys()]).toEqual([1, 2, 'k']);
    expect(new Uint8Array(back.get(2) as Uint8Array)).toEqual(big);
    const list = back.get(1) as unknown[];
    expect(new Uint8Array(list[0] as Uint8Array)).toEqual(new Uint8Array(300).fill(9));
    // cbor-x reads 8-byte heads as BigInt
    expect(list.slice(1)).toEqual(['ü'.repeat(200), BigInt(-(2 ** 40)), BigInt(2 ** 50)]);
    expect(new Uint8Array((back.get('k') as Map<number, Uint8Array>).get(0)!)).toEqual(big.subarray(5, 1800));
    expect(toHex(encodeCbor(decodeCbor(bytes)))).toBe(toHex(bytes));
  });

  it('decodes what cbor-x encodes canonically', () => {
    const enc = new Encoder({ mapsAsObjects: false, useRecords: false, variableMapSize: true });
    const value = new Map<number, unknown>([
      [1, 7],
      [2, Buffer.from('abc')],
      [3, ['x', -9, [true]]],
    ]);
    const decoded = decodeCbor(enc.encode(value)) as Map<number, CborValue>;
    expect(decoded.get(1)).toBe(7);
    expect(decoded.get(2)).toEqual(new Uint8Array([0x61, 0x62, 0x63]));
    expect(decoded.get(3)).toEqual(['x', -9, [true]]);
  });

  it('refuses every non-deterministic or unsupported encoding with a typed code', () => {
    expect(code('1817')).toBe('CBOR_NON_CANONICAL'); // 23 in two bytes
    expect(code('190017')).toBe('CBOR_NON_CANONICAL');
    expect(code('1a0000ffff')).toBe('CBOR_NON_CANONICAL');
    expect(code('1b00000000ffffffff')).toBe('CBOR_NON_CANONICAL');
    expect(code('5f4101ff')).toBe('CBOR_NON_CANONICAL'); // indefinite bytes
    expect(code('9f01ff')).toBe('CBOR_NON_CANONICAL');
    expect(code('a201010101')).toBe('CBOR_DUPLICATE_KEY');
    expect(code('a202010101')).toBe('CBOR_KEY_ORDER');
    expect(code('c11a514b67b0')).toBe('CBOR_UNSUPPORTED'); // tag
    expect(code('f93c00')).toBe('CBOR_UNSUPPORTED'); // half float
    expect(code('f7')).toBe('CBOR_UNSUPPORTED'); // undefined
    expect(code('1b0020000000000000')).toBe('CBOR_UNSUPPORTED'); // 2^53
    expect(code('a1f601')).toBe('CBOR_UNSUPPORTED'); // null key
    expect(code('62c328')).toBe('CBOR_BAD_UTF8');
    expect(code('63eda080')).toBe('CBOR_BAD_UTF8'); // surrogate
    expect(code('0000')).toBe('CBOR_TRAILING_BYTES');
    expect(code('45010203')).toBe('CBOR_TRUNCATED');
    expect(code('9affffffff')).toBe('CBOR_TRUNCATED'); // huge count, no allocation
    expect(code('81818181818181818101')).toBe('CBOR_TOO_DEEP'); // 9 levels
    expect(code('818181818181818101')).toBe('accepted'); // 8 levels
    expect(code('')).toBe('CBOR_TRUNCATED');
  });

  it('never throws an untyped error on random input', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) & 0xff;
    };
    for (let n = 0; n < 20000; n++) {
      const b = new Uint8Array(1 + (rnd() % 24)).map(() => rnd());
      try {
        decodeCbor(b);
      } catch (e) {
        expect(isOtaError(e)).toBe(true);
      }
    }
  });
});
