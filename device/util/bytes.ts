/** Small byte helpers shared by every module. Little-endian unless the name says otherwise. */

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Equality whose time does not depend on where the arrays differ (no early exit).
 *
 * XS interprets each indexed read (about 1.8 M Cortex-M instructions per KiB compared byte
 * by byte, docs/BENCHMARKS.md), and the bank writer compares every piece it programs with
 * its read-back, so where both views allow it the bytes are read as words: as doubles,
 * 8 bytes a read, where both views are 8-aligned; else as 32-bit integers where 4-aligned.
 * The time depends on the length, the alignment and how many 8-byte groups differ or hold a
 * zero or NaN word; never on where they are.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  let i = 0;
  const doubles = a.length >>> 3;
  const words = a.length >>> 2;
  if (doubles >= 8 && (a.byteOffset & 7) === 0 && (b.byteOffset & 7) === 0) {
    diff = doublesDiffer(a, b, doubles);
    i = doubles << 3;
  } else if (words >= 16 && (a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    // Int32, not Uint32: a word above 2^31 is a double in XS, and XOR must convert it back.
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
    // Four words a turn: the loop's own test and increment cost as much as a compare.
    const quads = words & ~3;
    let w = 0;
    for (; w < quads; w += 4)
      diff |= (wa[w] ^ wb[w]) | (wa[w + 1] ^ wb[w + 1]) | (wa[w + 2] ^ wb[w + 2]) | (wa[w + 3] ^ wb[w + 3]);
    for (; w < words; w++) diff |= wa[w] ^ wb[w];
    i = words << 2;
  }
  for (; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Non-zero when the first `n` 8-byte words differ. Two doubles that compare equal have the
 * same bits except +0 and -0 (told apart by 1/x), and two that do not compare equal have
 * different bits unless both are NaN (erased flash, 0xFF..FF, is one), whose bits are then
 * compared as 32-bit halves.
 */
function doublesDiffer(a: Uint8Array, b: Uint8Array, n: number): number {
  const fa = new Float64Array(a.buffer, a.byteOffset, n);
  const fb = new Float64Array(b.buffer, b.byteOffset, n);
  let ia: Int32Array | undefined;
  let ib: Int32Array | undefined;
  const word = (w: number): number => {
    const x = fa[w];
    const y = fb[w];
    if (x === y) return x === 0 && 1 / x !== 1 / y ? 1 : 0;
    if (!Number.isNaN(x) || !Number.isNaN(y)) return 1;
    if (!ia || !ib) {
      ia = new Int32Array(a.buffer, a.byteOffset, n * 2);
      ib = new Int32Array(b.buffer, b.byteOffset, n * 2);
    }
    return (ia[2 * w] ^ ib[2 * w]) | (ia[2 * w + 1] ^ ib[2 * w + 1]);
  };
  let diff = 0;
  let w = 0;
  // Four a turn, settled by one test each when they compare equal and none is zero (equal
  // data, nearly always); any other group is settled word by word. No group ends the loop.
  for (; w + 4 <= n; w += 4) {
    const x0 = fa[w];
    const x1 = fa[w + 1];
    const x2 = fa[w + 2];
    const x3 = fa[w + 3];
    if (
      x0 === fb[w] &&
      x1 === fb[w + 1] &&
      x2 === fb[w + 2] &&
      x3 === fb[w + 3] &&
      x0 !== 0 &&
      x1 !== 0 &&
      x2 !== 0 &&
      x3 !== 0
    )
      continue;
    diff |= word(w) | word(w + 1) | word(w + 2) | word(w + 3);
  }
  for (; w < n; w++) diff |= word(w);
  return diff;
}

const HEX = '0123456789abcdef';

/**
 * Strings are built in pieces of at most PIECE characters and joined once: XS copies the
 * whole string on every `+=`, so growing one character at a time costs time and garbage
 * quadratic in the length (a 1 MiB input took minutes in XS).
 */
const PIECE = 1024;

export function toHex(b: Uint8Array): string {
  const pieces: string[] = [];
  const pairs: string[] = [];
  for (let i = 0; i < b.length; i++) {
    pairs.push(HEX[b[i] >> 4] + HEX[b[i] & 15]);
    if (pairs.length === PIECE / 2 || i === b.length - 1) {
      pieces.push(pairs.join(''));
      pairs.length = 0;
    }
  }
  return pieces.join('');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new RangeError('not hex');
  const out = new Uint8Array(clean.length / 2);
  // The string's iterator walks it once; substr or charCodeAt at index i makes XS scan its
  // UTF-8 from the start each time, which is quadratic in the length.
  let o = 0;
  let high = -1;
  for (const c of clean) {
    const v = parseInt(c, 16);
    if (high < 0) high = v;
    else {
      out[o++] = (high << 4) | v;
      high = -1;
    }
  }
  return out;
}

export function readU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function readU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** ASCII/UTF-8 encoding without TextEncoder (devices have none). */
export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  // The iterator yields code points (a surrogate pair as one, a lone surrogate as itself)
  // and walks the string once: charCodeAt(i) would make XS scan from the start each time.
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** Strict UTF-8 decoding without TextDecoder: returns undefined for any invalid sequence. */
export function utf8Decode(b: Uint8Array): string | undefined {
  const pieces: string[] = [];
  let codePoints: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    let cp: number;
    let n: number;
    if (c < 0x80) {
      cp = c;
      n = 0;
    } else if (c >= 0xc2 && c < 0xe0) {
      cp = c & 31;
      n = 1;
    } else if (c >= 0xe0 && c < 0xf0) {
      cp = c & 15;
      n = 2;
    } else if (c >= 0xf0 && c < 0xf5) {
      cp = c & 7;
      n = 3;
    } else return undefined;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (d & 63);
    }
    if ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff))) return undefined;
    if (cp >= 0xd800 && cp < 0xe000) return undefined;
    codePoints.push(cp);
    if (codePoints.length === PIECE) {
      pieces.push(String.fromCodePoint.apply(null, codePoints));
      codePoints = [];
    }
    i += n + 1;
  }
  if (codePoints.length > 0) pieces.push(String.fromCodePoint.apply(null, codePoints));
  return pieces.join('');
}
