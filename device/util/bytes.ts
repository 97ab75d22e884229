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

/** Constant-time equality: the time does not depend on where the arrays differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  let i = 0;
  // XS interprets each indexed read (about 1.8 M Cortex-M instructions per KiB compared
  // byte by byte, docs/BENCHMARKS.md): where both views are word-aligned, compare words,
  // four per loop turn (the loop's own test and increment cost as much as a compare).
  // Int32, not Uint32: a word above 2^31 read from a Uint32Array is a double in XS, and
  // XOR must convert it back; an Int32Array word is always a small integer.
  const words = a.length >>> 2;
  if (words >= 16 && (a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, words);
    const wb = new Int32Array(b.buffer, b.byteOffset, words);
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
