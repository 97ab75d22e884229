/**
 * A DER encoder for the tools (certificates, keys, test inputs). It writes only what the
 * device's strict reader accepts, except where a test asks for raw bytes on purpose.
 */
import { Tag } from '../../device/pki/index.js';
import { concatBytes } from '../../device/util/index.js';

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(Tag.sequence, ...items);
export const set = (...items: Uint8Array[]): Uint8Array => tlv(Tag.set, ...items);
export const octets = (b: Uint8Array): Uint8Array => tlv(Tag.octetString, b);
export const nullValue = (): Uint8Array => Uint8Array.of(Tag.null, 0);
export const bool = (v: boolean): Uint8Array => Uint8Array.of(Tag.boolean, 1, v ? 0xff : 0);
export const bitString = (b: Uint8Array, unused = 0): Uint8Array => tlv(Tag.bitString, Uint8Array.of(unused), b);
export const printable = (s: string): Uint8Array => tlv(Tag.printableString, Uint8Array.from(Buffer.from(s, 'latin1')));
export const utf8 = (s: string): Uint8Array => tlv(Tag.utf8String, Uint8Array.from(Buffer.from(s, 'utf8')));
/** Context-specific [n]: constructed (explicit) or primitive (implicit). */
export const ctx = (n: number, constructed: boolean, ...content: Uint8Array[]): Uint8Array =>
  tlv(0x80 | (constructed ? 0x20 : 0) | n, ...content);

/** A minimal two's-complement INTEGER from a non-negative bigint, number or big-endian bytes. */
export function integer(v: bigint | number | Uint8Array): Uint8Array {
  let bytes: number[];
  if (v instanceof Uint8Array) {
    bytes = Array.from(v);
    while (bytes.length > 1 && bytes[0] === 0 && bytes[1] < 0x80) bytes.shift();
    if (bytes.length === 0) bytes = [0];
  } else {
    let n = BigInt(v);
    if (n < 0n) throw new RangeError('negative INTEGER not supported');
    bytes = [];
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
  }
  if (bytes[0] >= 0x80) bytes.unshift(0);
  return tlv(Tag.integer, Uint8Array.from(bytes));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const out: number[] = [];
  const push = (v: bigint) => {
    const parts: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) parts.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...parts);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return tlv(Tag.oid, Uint8Array.from(out));
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
export function time(unixSeconds: number): Uint8Array {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y >= 1950 && y < 2050) return tlv(Tag.utcTime, Uint8Array.from(Buffer.from(`${p(y % 100)}${rest}`, 'latin1')));
  return tlv(Tag.generalizedTime, Uint8Array.from(Buffer.from(`${p(y, 4)}${rest}`, 'latin1')));
}
