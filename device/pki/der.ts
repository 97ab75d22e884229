/**
 * A strict DER reader (X.690 §10) for certificates and keys.
 *
 * It accepts exactly one encoding per value: definite lengths only, minimal length
 * octets, single-octet tags (certificates never need high tag numbers), every length
 * checked against what remains of its parent before anything is read, and nesting
 * bounded. Nothing is copied: nodes are offsets into the caller's bytes, so a hostile
 * input cannot make it allocate more than a node per TLV it actually contains.
 */
import { OtaError } from '../errors.js';
import type { PkiErrorCode } from './pki-errors.js';

export const DerError = {
  truncated: 'PKI_DER_TRUNCATED',
  indefinite: 'PKI_DER_INDEFINITE_LENGTH',
  nonMinimal: 'PKI_DER_NON_MINIMAL',
  trailing: 'PKI_DER_TRAILING_BYTES',
  depth: 'PKI_DER_TOO_DEEP',
  tooLarge: 'PKI_DER_TOO_LARGE',
  malformed: 'PKI_DER_MALFORMED',
} as const;

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Context-specific tag number `n`, constructed or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** One TLV: `bytes[start..end)` is the whole encoding, `bytes[valueStart..end)` the value. */
export interface DerNode {
  readonly bytes: Uint8Array;
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Largest value length the reader accepts (a certificate chain is a few KiB). */
export const MAX_DER_LENGTH = 0xffff;
/** Deepest nesting `checkDerTree` accepts; an X.509 certificate needs 8. */
export const MAX_DER_DEPTH = 12;
/** Most children `children` returns for one node. */
export const MAX_DER_CHILDREN = 64;

function fail(code: PkiErrorCode, message: string): never {
  throw new OtaError(code, message);
}

/** Reads the TLV at `pos`, which must end at or before `limit`. */
export function readTlv(bytes: Uint8Array, pos: number, limit: number = bytes.length): DerNode {
  if (limit > bytes.length) limit = bytes.length;
  if (pos >= limit) fail(DerError.truncated, `no tag at ${pos}`);
  const tag = bytes[pos];
  if ((tag & 0x1f) === 0x1f) fail(DerError.malformed, `high tag number at ${pos}`);
  if (pos + 1 >= limit) fail(DerError.truncated, `no length at ${pos + 1}`);
  const first = bytes[pos + 1];
  let len: number;
  let valueStart: number;
  if (first < 0x80) {
    len = first;
    valueStart = pos + 2;
  } else if (first === 0x80) {
    fail(DerError.indefinite, `indefinite length at ${pos + 1}`);
  } else {
    const n = first & 0x7f;
    if (n > 2) fail(DerError.tooLarge, `length of ${n} octets at ${pos + 1}`);
    if (pos + 2 + n > limit) fail(DerError.truncated, `length octets past the end at ${pos + 1}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + 2 + i];
    // Minimal: no leading zero octet, and the long form only for lengths of 128 or more.
    if (bytes[pos + 2] === 0 || len < 0x80) fail(DerError.nonMinimal, `non-minimal length at ${pos + 1}`);
    valueStart = pos + 2 + n;
  }
  if (len > MAX_DER_LENGTH) fail(DerError.tooLarge, `length ${len} at ${pos + 1}`);
  if (len > limit - valueStart) fail(DerError.truncated, `length ${len} at ${pos + 1} runs past the end`);
  return { bytes, tag, start: pos, valueStart, end: valueStart + len };
}

/** Reads the single TLV that fills `bytes` exactly. */
export function readRoot(bytes: Uint8Array): DerNode {
  const node = readTlv(bytes, 0, bytes.length);
  if (node.end !== bytes.length) fail(DerError.trailing, `${bytes.length - node.end} bytes after the value`);
  return node;
}

/** Walks every constructed value below `node`, so malformed or deep inner TLVs fail early and typed. */
export function checkDerTree(node: DerNode, maxDepth: number = MAX_DER_DEPTH): void {
  walk(node, 1, maxDepth);
}

function walk(node: DerNode, depth: number, maxDepth: number): void {
  if (depth > maxDepth) fail(DerError.depth, `nesting deeper than ${maxDepth}`);
  if ((node.tag & 0x20) === 0) return;
  let pos = node.valueStart;
  while (pos < node.end) {
    const child = readTlv(node.bytes, pos, node.end);
    walk(child, depth + 1, maxDepth);
    pos = child.end;
  }
}

/** The children of a constructed node, in order (at most MAX_DER_CHILDREN). */
export function children(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0)
    fail(DerError.malformed, `tag 0x${node.tag.toString(16)} at ${node.start} is not constructed`);
  const out: DerNode[] = [];
  let pos = node.valueStart;
  while (pos < node.end) {
    if (out.length >= MAX_DER_CHILDREN) fail(DerError.tooLarge, `more than ${MAX_DER_CHILDREN} items at ${node.start}`);
    const child = readTlv(node.bytes, pos, node.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Fails unless `node` has tag `tag`. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) fail(DerError.malformed, `${what}: missing`);
  if (node.tag !== tag)
    fail(
      DerError.malformed,
      `${what}: tag 0x${node.tag.toString(16)} at ${node.start}, expected 0x${tag.toString(16)}`,
    );
  return node;
}

/** Children of a node that must have `tag`, with a count in [min, max]. */
export function sequenceOf(node: DerNode | undefined, tag: number, what: string, min: number, max: number): DerNode[] {
  const items = children(expectTag(node, tag, what));
  if (items.length < min || items.length > max)
    fail(DerError.malformed, `${what}: ${items.length} items, expected ${min}..${max}`);
  return items;
}

export function value(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.valueStart, node.end);
}

export function encoding(node: DerNode): Uint8Array {
  return node.bytes.subarray(node.start, node.end);
}

/** A DER BOOLEAN: one octet, 0x00 or 0xFF. */
export function readBoolean(node: DerNode | undefined, what: string): boolean {
  const n = expectTag(node, Tag.boolean, what);
  const v = value(n);
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) fail(DerError.malformed, `${what}: not a DER boolean`);
  return v[0] === 0xff;
}

/** A DER INTEGER's content octets, checked minimal (two's complement). */
export function readIntegerBytes(node: DerNode | undefined, what: string): Uint8Array {
  const v = value(expectTag(node, Tag.integer, what));
  if (v.length === 0) fail(DerError.malformed, `${what}: empty integer`);
  if (v.length > 1 && ((v[0] === 0 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) {
    fail(DerError.nonMinimal, `${what}: non-minimal integer`);
  }
  return v;
}

/** A small non-negative INTEGER (up to 2^31 - 1). */
export function readSmallInteger(node: DerNode | undefined, what: string): number {
  const v = readIntegerBytes(node, what);
  if (v[0] >= 0x80) fail(DerError.malformed, `${what}: negative`);
  if (v.length > 5) fail(DerError.malformed, `${what}: too large`);
  let n = 0;
  for (let i = 0; i < v.length; i++) n = n * 256 + v[i];
  if (n > 0x7fffffff) fail(DerError.malformed, `${what}: too large`);
  return n;
}

/** A BIT STRING: returns the bits' octets and the count of unused bits in the last one. */
export function readBitString(node: DerNode | undefined, what: string): { bits: Uint8Array; unused: number } {
  const v = value(expectTag(node, Tag.bitString, what));
  if (v.length === 0) fail(DerError.malformed, `${what}: empty bit string`);
  const unused = v[0];
  if (unused > 7 || (v.length === 1 && unused !== 0)) fail(DerError.malformed, `${what}: bad unused-bit count`);
  // DER: unused bits are zero.
  if (unused > 0 && (v[v.length - 1] & ((1 << unused) - 1)) !== 0) fail(DerError.malformed, `${what}: unused bits set`);
  return { bits: v.subarray(1), unused };
}

/** An OBJECT IDENTIFIER in dotted form; sub-identifiers minimal and below 2^53. */
export function readOid(node: DerNode | undefined, what: string): string {
  const v = value(expectTag(node, Tag.oid, what));
  if (v.length === 0 || v.length > 64) fail(DerError.malformed, `${what}: bad OID length`);
  const arcs: number[] = [];
  let acc = 0;
  let started = false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (!started && b === 0x80) fail(DerError.nonMinimal, `${what}: non-minimal OID arc`);
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 128) fail(DerError.malformed, `${what}: OID arc too large`);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
      started = false;
    }
  }
  if (started) fail(DerError.truncated, `${what}: OID ends inside an arc`);
  const first = arcs[0];
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return head.concat(arcs.slice(1)).join('.');
}

// ------------------------------------------------------------------------- time

function digits(v: Uint8Array, at: number, n: number, what: string): number {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const c = v[i];
    if (c < 0x30 || c > 0x39) fail(DerError.malformed, `${what}: not a digit`);
    x = x * 10 + (c - 0x30);
  }
  return x;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (no Date object needed). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * A UTCTime (YYMMDDHHMMSSZ, years 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), as
 * RFC 5280 §4.1.2.5 restricts them: seconds present, no fractions, always Zulu.
 */
export function readTime(node: DerNode | undefined, what: string): number {
  if (!node) fail(DerError.malformed, `${what}: missing`);
  const v = value(node);
  let year: number;
  let at: number;
  if (node.tag === Tag.utcTime) {
    if (v.length !== 13) fail(DerError.malformed, `${what}: UTCTime not YYMMDDHHMMSSZ`);
    const yy = digits(v, 0, 2, what);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    at = 2;
  } else if (node.tag === Tag.generalizedTime) {
    if (v.length !== 15) fail(DerError.malformed, `${what}: GeneralizedTime not YYYYMMDDHHMMSSZ`);
    year = digits(v, 0, 4, what);
    at = 4;
  } else fail(DerError.malformed, `${what}: not a time`);
  if (v[v.length - 1] !== 0x5a) fail(DerError.malformed, `${what}: not UTC (Z)`);
  const month = digits(v, at, 2, what);
  const day = digits(v, at + 2, 2, what);
  const hour = digits(v, at + 4, 2, what);
  const minute = digits(v, at + 6, 2, what);
  const second = digits(v, at + 8, 2, what);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    fail(DerError.malformed, `${what}: date or time out of range`);
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}
