/**
 * The kept record: what the device cannot learn again over the air — the trust anchors
 * (SMKI cells) and counters that only increase — with the same redundancy as the boot
 * record: two copies, each in its own sector (layout.keptSectors), with a sequence number
 * and a CRC, written alternately. The journal keeps a copy of the trust anchors too (its
 * TRUST_ANCHORS record), so one bad sector anywhere loses neither.
 *
 * Copy, little-endian, from the start of its sector:
 *
 *   0   u32 magic 0x524b4841 ("AHKR")    4  u32 sequence number (serial order)
 *   8   u32 body length                  12 u32 CRC-32 of bytes [0, 12) then the body
 *   16  body: deterministic CBOR map {1: trust-anchor bytes (device/pki's encoding),
 *       2: map of unsigned counter key → unsigned count}; either key may be absent
 *
 * Write order: the new copy (sequence + 1) goes into the copy that does not hold the
 * standing one: erase its sector, program header and body, read them back (a read-back
 * that differs is written again, up to three times). A cut leaves the old copy or the new
 * one. Readers take the valid copy with the later sequence number; a copy that cannot be
 * read is invalid. RAM: one copy's bytes while it is read or written.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { Flash } from '../ports.js';
import { readU32, writeU32, decodeCbor, encodeCbor, type CborValue, crc32 } from '../util/index.js';
import { alignUp, eraseSector, programVerified, tryRead } from './flash-io.js';
import { serialAfter } from './journal.js';
import type { StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

const MAGIC = 0x524b4841;
const HEADER = 16;
const WRITE_ATTEMPTS = 3;

export interface KeptState {
  /** Trust-anchor bytes as device/pki encodes them; undefined until provisioned. */
  trustAnchors?: Uint8Array;
  /** Counters that only increase. */
  counters: Map<number, number>;
}

interface Copy {
  seq: number;
  state: KeptState;
}

/** The standing kept state, or undefined when neither copy is valid (never provisioned, or both damaged). */
export function readKept(flash: Flash, layout: StorageLayout): KeptState | undefined {
  return standing(flash, layout).current?.state;
}

/** Writes `state` as the new standing copy. */
export function writeKept(flash: Flash, layout: StorageLayout, state: KeptState): void {
  const body = encodeState(state);
  if (HEADER + body.length > layout.sectorSize)
    throw new OtaError(StorageError.tooLarge, `kept record of ${body.length} bytes`);
  const { current, copy } = standing(flash, layout);
  const target = current ? 1 - copy : 0;
  const bytes = new Uint8Array(alignUp(HEADER + body.length, layout.writeAlign)).fill(layout.erasedValue);
  writeU32(bytes, 0, MAGIC);
  writeU32(bytes, 4, current ? (current.seq + 1) >>> 0 : 1);
  writeU32(bytes, 8, body.length);
  bytes.set(body, HEADER);
  writeU32(bytes, 12, crcOf(bytes, body.length));
  let failure: unknown;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    try {
      eraseSector(flash, layout.keptSectors[target]);
      programVerified(flash, layout.keptSectors[target] * layout.sectorSize, bytes);
      return;
    } catch (e) {
      failure = e;
    }
  }
  throw asOtaError(failure, StorageError.flashWrite);
}

/** Replaces the trust anchors, keeping the counters. */
export function keepTrustAnchors(flash: Flash, layout: StorageLayout, trustAnchors: Uint8Array): void {
  const now = readKept(flash, layout) ?? { counters: new Map<number, number>() };
  writeKept(flash, layout, { ...now, trustAnchors: trustAnchors.slice() });
}

/** Replaces the counters (each must not go down), keeping the trust anchors. */
export function keepCounters(flash: Flash, layout: StorageLayout, counters: Map<number, number>): void {
  const now = readKept(flash, layout) ?? { counters: new Map<number, number>() };
  for (const [k, v] of now.counters) {
    const next = counters.get(k);
    if (next !== undefined && next < v)
      throw new OtaError(StorageError.journalRecord, `counter ${k} would go down from ${v} to ${next}`);
  }
  writeKept(flash, layout, { ...now, counters: new Map(counters) });
}

function standing(flash: Flash, layout: StorageLayout): { current?: Copy; copy: number } {
  const copies = [readCopy(flash, layout, 0), readCopy(flash, layout, 1)];
  const [a, b] = copies;
  if (a && b) return serialAfter(b.seq, a.seq) ? { current: b, copy: 1 } : { current: a, copy: 0 };
  if (a) return { current: a, copy: 0 };
  if (b) return { current: b, copy: 1 };
  return { copy: 0 };
}

function readCopy(flash: Flash, layout: StorageLayout, which: 0 | 1): Copy | undefined {
  const base = layout.keptSectors[which] * layout.sectorSize;
  const head = new Uint8Array(HEADER);
  if (!tryRead(flash, base, head) || readU32(head, 0) !== MAGIC) return undefined;
  const length = readU32(head, 8);
  if (HEADER + length > layout.sectorSize) return undefined;
  const all = new Uint8Array(HEADER + length);
  if (!tryRead(flash, base, all) || crcOf(all, length) !== readU32(all, 12)) return undefined;
  try {
    return { seq: readU32(all, 4), state: decodeState(all.subarray(HEADER)) };
  } catch {
    return undefined;
  }
}

function crcOf(bytes: Uint8Array, bodyLength: number): number {
  const covered = new Uint8Array(12 + bodyLength);
  covered.set(bytes.subarray(0, 12));
  covered.set(bytes.subarray(HEADER, HEADER + bodyLength), 12);
  return crc32(covered);
}

function encodeState(state: KeptState): Uint8Array {
  const m = new Map<number, CborValue>();
  if (state.trustAnchors) m.set(1, state.trustAnchors);
  const counters = new Map<number, CborValue>();
  for (const k of [...state.counters.keys()].sort((x, y) => x - y)) {
    const v = state.counters.get(k)!;
    if (!Number.isInteger(k) || k < 0 || !Number.isInteger(v) || v < 0)
      throw new OtaError(StorageError.journalRecord, `counter ${k}=${v}`);
    counters.set(k, v);
  }
  m.set(2, counters);
  return encodeCbor(m);
}

function decodeState(body: Uint8Array): KeptState {
  const v = decodeCbor(body, { maxDepth: 2 });
  if (!(v instanceof Map)) throw new OtaError(StorageError.journalRecord, 'kept body is not a map');
  const anchors = v.get(1);
  const counters = v.get(2);
  if (anchors !== undefined && !(anchors instanceof Uint8Array))
    throw new OtaError(StorageError.journalRecord, 'kept trust anchors');
  if (!(counters instanceof Map)) throw new OtaError(StorageError.journalRecord, 'kept counters');
  const out: KeptState = { counters: new Map() };
  if (anchors) out.trustAnchors = anchors;
  for (const [k, x] of counters) {
    if (typeof k !== 'number' || typeof x !== 'number')
      throw new OtaError(StorageError.journalRecord, 'kept counter entry');
    out.counters.set(k, x);
  }
  return out;
}
