/**
 * Deterministic CBOR (RFC 8949 §4.2.1 "core deterministic encoding"), the subset the
 * agent needs for signed manifests and journal bodies: unsigned and negative integers
 * within ±2^53, byte strings, UTF-8 text, arrays, maps (integer or text keys), true,
 * false, null.
 *
 * The decoder is strict because a signed manifest must have exactly one encoding: it
 * refuses indefinite lengths, non-shortest heads, duplicate or unsorted map keys, tags,
 * floats, undefined, invalid UTF-8, trailing bytes, and nesting deeper than `maxDepth`.
 * Every length is checked against the bytes that remain before anything is allocated, so
 * hostile input cannot make it allocate more than its own size. No code generation.
 */
import { OtaError } from '../errors.js';
import { utf8Decode, utf8Encode } from './bytes.js';

export type CborKey = number | string;
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | CborMap;
export type CborMap = Map<CborKey, CborValue>;

export const CborError = {
  truncated: 'CBOR_TRUNCATED',
  nonCanonical: 'CBOR_NON_CANONICAL',
  unsupported: 'CBOR_UNSUPPORTED',
  duplicateKey: 'CBOR_DUPLICATE_KEY',
  keyOrder: 'CBOR_KEY_ORDER',
  trailing: 'CBOR_TRAILING_BYTES',
  depth: 'CBOR_TOO_DEEP',
  utf8: 'CBOR_BAD_UTF8',
} as const;
export type CborErrorCode = (typeof CborError)[keyof typeof CborError];

const MAX_SAFE = 2 ** 53;

// ------------------------------------------------------------------------- encoding

/**
 * The encoder writes into one Uint8Array that doubles when full, and hands back a copy of
 * exactly the bytes written. On XS a `number[]` built by push costs a 16-byte slot per byte
 * and is copied as it grows: encoding the 1.7 KB trust store that way made the MCU image's
 * chunk heap grow by 60 KB at every start (docs/PORTING.md). Doubling keeps what is thrown
 * away under three times the output, in one pass (counting first, then writing, cost a
 * second walk of every record the agent writes per sector downloaded).
 */
class Writer {
  out = new Uint8Array(64);
  length = 0;

  private room(n: number): void {
    let size = this.out.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.out.subarray(0, this.length));
    this.out = grown;
  }

  byte(b: number): void {
    if (this.length === this.out.length) this.room(1);
    this.out[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    if (this.length + b.length > this.out.length) this.room(b.length);
    this.out.set(b, this.length);
    this.length += b.length;
  }

  /** The bytes written, in a buffer of exactly their size. */
  result(): Uint8Array {
    return this.out.slice(0, this.length);
  }

  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) {
      this.byte(m | 24);
      this.byte(n);
    } else if (n < 0x10000) {
      this.byte(m | 25);
      this.be(n, 2);
    } else if (n < 0x100000000) {
      this.byte(m | 26);
      this.be(n >>> 0, 4);
    } else {
      this.byte(m | 27);
      this.be(Math.floor(n / 0x100000000), 4);
      this.be(n >>> 0, 4);
    }
  }

  /** `count` bytes of the unsigned 32-bit `n`, most significant first. */
  private be(n: number, count: number): void {
    for (let shift = (count - 1) * 8; shift >= 0; shift -= 8) this.byte((n >>> shift) & 0xff);
  }
}

function encodeInto(w: Writer, v: CborValue): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) >= MAX_SAFE)
      throw new OtaError(CborError.unsupported, `cannot encode number ${v}`);
    if (v >= 0) w.head(0, v);
    else w.head(1, -1 - v);
  } else if (typeof v === 'string') {
    const b = utf8Encode(v);
    w.head(3, b.length);
    w.bytes(b);
  } else if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (v === false) w.byte(0xf4);
  else if (v === true) w.byte(0xf5);
  else if (v === null) w.byte(0xf6);
  else if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const item of v) encodeInto(w, item);
  } else if (v instanceof Map) {
    if (encodeUintKeyed(w, v)) return;
    const entries: { key: Uint8Array; value: CborValue }[] = [];
    for (const [k, val] of v) entries.push({ key: encodeCbor(k), value: val });
    entries.sort((a, b) => compareBytes(a.key, b.key));
    for (let i = 1; i < entries.length; i++) {
      if (compareBytes(entries[i - 1].key, entries[i].key) === 0)
        throw new OtaError(CborError.duplicateKey, 'duplicate map key');
    }
    w.head(5, entries.length);
    for (const e of entries) {
      w.bytes(e.key);
      encodeInto(w, e.value);
    }
  } else throw new OtaError(CborError.unsupported, `cannot encode ${typeof v}`);
}

/**
 * A map whose keys are all unsigned integers (every journal body and manifest): for those,
 * the bytewise order of the shortest encodings is the numeric order, and a Map cannot
 * hold one number twice, so the keys are sorted as numbers and written without encoding
 * each one apart first. Encoding a download-progress record this way costs a fraction
 * of the general path on XS, and the agent writes one per sector downloaded. Returns
 * false, having written nothing, for any other map.
 */
function encodeUintKeyed(w: Writer, m: CborMap): boolean {
  const keys: number[] = [];
  let ascending = true;
  for (const k of m.keys()) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= MAX_SAFE) return false;
    if (keys.length > 0 && k < keys[keys.length - 1]) ascending = false;
    keys.push(k);
  }
  // Maps are usually built in key order: then there is nothing to sort.
  if (!ascending) keys.sort((a, b) => a - b);
  w.head(5, keys.length);
  for (const k of keys) {
    w.head(0, k);
    encodeInto(w, m.get(k) as CborValue);
  }
  return true;
}

/** Encodes `value` deterministically (shortest heads, map keys in bytewise order). */
export function encodeCbor(value: CborValue): Uint8Array {
  const w = new Writer();
  encodeInto(w, value);
  return w.result();
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// ------------------------------------------------------------------------- decoding

export interface DecodeOptions {
  /** Deepest nesting of arrays and maps accepted (the top level is depth 1). Default 8. */
  maxDepth?: number;
}

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly maxDepth: number,
  ) {}

  need(n: number): void {
    if (n > this.bytes.length - this.pos) throw new OtaError(CborError.truncated, `needs ${n} bytes at ${this.pos}`);
  }

  /** Reads a head; returns [major, argument]. */
  head(): [number, number, number] {
    this.need(1);
    const first = this.bytes[this.pos++];
    const major = first >> 5;
    const info = first & 31;
    if (info < 24) return [major, info, info];
    let n: number;
    if (info === 24) {
      this.need(1);
      n = this.bytes[this.pos++];
      if (n < 24) throw new OtaError(CborError.nonCanonical, 'non-shortest integer');
    } else if (info === 25) {
      this.need(2);
      n = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
      this.pos += 2;
      if (n < 0x100) throw new OtaError(CborError.nonCanonical, 'non-shortest integer');
    } else if (info === 26) {
      this.need(4);
      n =
        this.bytes[this.pos] * 0x1000000 +
        ((this.bytes[this.pos + 1] << 16) | (this.bytes[this.pos + 2] << 8) | this.bytes[this.pos + 3]);
      this.pos += 4;
      if (n < 0x10000) throw new OtaError(CborError.nonCanonical, 'non-shortest integer');
    } else if (info === 27) {
      this.need(8);
      const hi =
        this.bytes[this.pos] * 0x1000000 +
        ((this.bytes[this.pos + 1] << 16) | (this.bytes[this.pos + 2] << 8) | this.bytes[this.pos + 3]);
      const lo =
        this.bytes[this.pos + 4] * 0x1000000 +
        ((this.bytes[this.pos + 5] << 16) | (this.bytes[this.pos + 6] << 8) | this.bytes[this.pos + 7]);
      this.pos += 8;
      if (hi === 0) throw new OtaError(CborError.nonCanonical, 'non-shortest integer');
      if (hi >= 0x200000) throw new OtaError(CborError.unsupported, 'integer beyond 2^53');
      n = hi * 0x100000000 + lo;
    } else if (info === 31) {
      throw new OtaError(CborError.nonCanonical, 'indefinite length');
    } else {
      throw new OtaError(CborError.unsupported, `reserved additional info ${info}`);
    }
    return [major, n, info];
  }

  item(depth: number): CborValue {
    const start = this.pos;
    const [major, n, info] = this.head();
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2: {
        this.need(n);
        const out = new Uint8Array(this.bytes.subarray(this.pos, this.pos + n)); // a copy, whatever view came in
        this.pos += n;
        return out;
      }
      case 3: {
        this.need(n);
        const s = utf8Decode(this.bytes.subarray(this.pos, this.pos + n));
        if (s === undefined) throw new OtaError(CborError.utf8, `invalid UTF-8 at ${this.pos}`);
        this.pos += n;
        return s;
      }
      case 4: {
        if (depth >= this.maxDepth) throw new OtaError(CborError.depth, `nesting deeper than ${this.maxDepth}`);
        this.need(n); // every item takes at least one byte
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        if (depth >= this.maxDepth) throw new OtaError(CborError.depth, `nesting deeper than ${this.maxDepth}`);
        this.need(n * 2);
        const out: CborMap = new Map();
        let prevKey: Uint8Array | undefined;
        for (let i = 0; i < n; i++) {
          const keyStart = this.pos;
          const key = this.item(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') {
            throw new OtaError(CborError.unsupported, 'map key is not an integer or text');
          }
          const keyBytes = this.bytes.subarray(keyStart, this.pos);
          if (prevKey) {
            const c = compareBytes(prevKey, keyBytes);
            if (c === 0) throw new OtaError(CborError.duplicateKey, `duplicate map key ${String(key)}`);
            if (c > 0) throw new OtaError(CborError.keyOrder, `map key ${String(key)} out of order`);
          }
          prevKey = keyBytes;
          out.set(key, this.item(depth + 1));
        }
        return out;
      }
      case 6:
        throw new OtaError(CborError.unsupported, `tag at ${start}`);
      default: {
        // major 7: simple values and floats
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new OtaError(CborError.unsupported, `simple value or float at ${start}`);
      }
    }
  }
}

/** Decodes exactly one deterministic CBOR item that fills `bytes`. Throws OtaError (CBOR_*). */
export function decodeCbor(bytes: Uint8Array, options: DecodeOptions = {}): CborValue {
  const r = new Reader(bytes, options.maxDepth ?? 8);
  const v = r.item(0);
  if (r.pos !== bytes.length) throw new OtaError(CborError.trailing, `${bytes.length - r.pos} bytes after the item`);
  return v;
}
