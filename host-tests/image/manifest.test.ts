/** The signed manifest codec: deterministic CBOR, strict keys and types; cbor-x as the oracle. */
import { sha256 } from '@noble/hashes/sha2.js';
import { Decoder, Encoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { decodeManifest, encodeManifest, ManifestKey } from '../../device/image/manifest.js';
import { encodeCbor, type CborValue } from '../../device/util/cbor.js';
import { fromHex } from '../../device/util/bytes.js';

const base = {
  manufacturerCode: 0x1234,
  imageType: 0x0102,
  fileVersion: 0x01020304,
  minHardwareVersion: 1,
  maxHardwareVersion: 3,
  payloadLength: 1000,
  payloadSha256: sha256(new Uint8Array([1, 2, 3])),
};

function mapOf(entries: [number | string, CborValue][]): Uint8Array {
  return encodeCbor(new Map(entries));
}
function baseEntries(): [number | string, CborValue][] {
  return [
    [1, 1],
    [2, base.manufacturerCode],
    [3, base.imageType],
    [4, base.fileVersion],
    [5, base.minHardwareVersion],
    [6, base.maxHardwareVersion],
    [7, base.payloadLength],
    [8, base.payloadSha256],
  ];
}
function codeOf(bytes: Uint8Array): string {
  try {
    decodeManifest(bytes);
    return 'accepted';
  } catch (e) {
    return isOtaError(e) ? e.code : 'untyped';
  }
}

describe('manifest codec', () => {
  it('round-trips, and cbor-x reads the same integer-keyed map', () => {
    const bytes = encodeManifest({ ...base, description: 'build 7' });
    const m = decodeManifest(bytes);
    expect(m).toEqual({ ...base, formatVersion: 1, description: 'build 7' });
    const oracle = new Decoder({ mapsAsObjects: false, useRecords: false }).decode(bytes) as Map<number, unknown>;
    expect(oracle.get(ManifestKey.manufacturerCode)).toBe(0x1234);
    expect(oracle.get(ManifestKey.fileVersion)).toBe(0x01020304);
    expect(Buffer.from(oracle.get(ManifestKey.payloadSha256) as Uint8Array)).toEqual(Buffer.from(base.payloadSha256));
    expect(oracle.get(ManifestKey.description)).toBe('build 7');
    // The first bytes are fixed by the format: a map of 9 entries, key 1 = 1.
    expect(bytes[0]).toBe(0xa9);
    expect(Array.from(bytes.subarray(1, 3))).toEqual([0x01, 0x01]);
  });

  it('refuses an unknown critical key, ignores an unknown informational (negative) key', () => {
    expect(codeOf(mapOf([...baseEntries(), [9, 0]]))).toBe('IMG_MANIFEST_CRITICAL');
    expect(codeOf(mapOf([[0, true], ...baseEntries()]))).toBe('IMG_MANIFEST_CRITICAL');
    expect(codeOf(mapOf([...baseEntries(), [-7, 'note']]))).toBe('accepted');
    expect(codeOf(mapOf([...baseEntries(), ['x', 1]]))).toBe('IMG_MANIFEST_FIELD');
  });

  it('refuses non-deterministic CBOR: duplicate keys, indefinite length, long heads, unsorted keys', () => {
    const good = encodeManifest(base);
    // Non-shortest head for key 1's value: 0x18 0x01 instead of 0x01.
    const longHead = new Uint8Array([good[0], 0x01, 0x18, 0x01, ...good.subarray(3)]);
    expect(codeOf(longHead)).toBe('IMG_MANIFEST_ENCODING');
    // Indefinite-length map.
    const indefinite = new Uint8Array([0xbf, ...good.subarray(1), 0xff]);
    expect(codeOf(indefinite)).toBe('IMG_MANIFEST_ENCODING');
    // Duplicate key 1 (count raised by one).
    const dup = new Uint8Array([good[0] + 1, 0x01, 0x01, ...good.subarray(1)]);
    expect(codeOf(dup)).toBe('IMG_MANIFEST_ENCODING');
    // cbor-x with map keys in insertion order 2,1,...: not sorted.
    const unsorted = new Encoder({ useRecords: false, mapsAsObjects: false }).encode(
      new Map<number, unknown>([
        [2, base.manufacturerCode],
        [1, 1],
        [3, base.imageType],
        [4, base.fileVersion],
        [5, 1],
        [6, 3],
        [7, 1000],
        [8, base.payloadSha256],
      ]),
    );
    expect(codeOf(new Uint8Array(unsorted))).toBe('IMG_MANIFEST_ENCODING');
    expect(codeOf(new Uint8Array([...good, 0x00]))).toBe('IMG_MANIFEST_ENCODING');
    expect(codeOf(fromHex('f97e00'))).toBe('IMG_MANIFEST_ENCODING'); // a float
  });

  it('refuses missing fields, wrong types and ranges, a foreign format version', () => {
    expect(codeOf(mapOf(baseEntries().filter(([k]) => k !== 8)))).toBe('IMG_MANIFEST_FIELD');
    expect(codeOf(mapOf(baseEntries().map(([k, v]) => [k, k === 8 ? new Uint8Array(31) : v])))).toBe(
      'IMG_MANIFEST_FIELD',
    );
    expect(codeOf(mapOf(baseEntries().map(([k, v]) => [k, k === 2 ? 0x10000 : v])))).toBe('IMG_MANIFEST_FIELD');
    expect(codeOf(mapOf(baseEntries().map(([k, v]) => [k, k === 4 ? -1 : v])))).toBe('IMG_MANIFEST_FIELD');
    expect(codeOf(mapOf(baseEntries().map(([k, v]) => [k, k === 5 ? 4 : v])))).toBe('IMG_MANIFEST_FIELD');
    expect(codeOf(mapOf(baseEntries().map(([k, v]) => [k, k === 1 ? 2 : v])))).toBe('IMG_MANIFEST_VERSION');
    expect(codeOf(encodeCbor([1, 2]))).toBe('IMG_MANIFEST_FIELD');
  });
});
