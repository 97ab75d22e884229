/**
 * The boot-control record: what the bootloader boots and whether that boot is a trial.
 * docs/BOOT.md is the contract; this file is its byte layout and its two-copy store.
 *
 * 160 bytes, little-endian, one copy per sector (copy A in layout.bootSectors[0], B in [1]):
 *
 *   0   u32  magic 0x52424841 ("AHBR")      4   u32  sequence number (serial order)
 *   8   u8   format (1)                     9   u8   state: 1 confirmed, 2 trial
 *   10  u8   trial boots left               11  u8   boot event: 0 none, 1 fell back, 2 rebuilt
 *   12  u32  rollback floor (lowest version allowed to boot)
 *   16  u32  trial window, seconds (the watchdog deadline of one trial boot)
 *   20  slot "confirmed": u8 bank, 3 reserved, u32 version, u32 length, 32-byte SHA-256
 *   64  slot "other": state trial: the trial image; state confirmed: the fallback (the
 *       previous confirmed image, whole in the other bank), bank 0xFF when there is none
 *   108 u32  refused version               112 32-byte refused digest (all zero: none)
 *   144 u32  CRC-32 of bytes [0, 144)       148 12 reserved bytes (0)
 *
 * Write order: the new record (sequence + 1) goes to the copy that does not hold the
 * current one: erase its sector, program the 160 bytes, read them back (a read-back that
 * differs is written again, up to three times). A cut at any point leaves the current copy
 * untouched, so a reader always finds the old record or the new one. Readers take the
 * valid copy with the later sequence number; a copy that cannot be read is not valid.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { Flash } from '../ports.js';
import { equalBytes, readU32, writeU32, crc32 } from '../util/index.js';
import { eraseSector, programVerified, tryRead } from './flash-io.js';
import type { StorageLayout } from './layout.js';
import { serialAfter } from './journal.js';
import { StorageError } from './storage-errors.js';

export const BOOT_RECORD_SIZE = 160;
export const BOOT_RECORD_MAGIC = 0x52424841;
export const BOOT_RECORD_FORMAT = 1;
export const BootState = { confirmed: 1, trial: 2 } as const;
export const NO_BANK = 0xff;
/** Byte 11: what the bootloader did at the boot that wrote it, for the agent to report. */
export const BootEventCode = { none: 0, fellBack: 1, rebuilt: 2 } as const;
export type BootEvent = 'fell-back' | 'rebuilt';
const WRITE_ATTEMPTS = 3;

export interface ImageSlot {
  bank: number;
  /** Firmware version (the OTA file version). */
  version: number;
  /** Payload bytes in the bank, from its start. */
  length: number;
  /** SHA-256 of those bytes. */
  digest: Uint8Array;
}

export interface BootRecord {
  seq: number;
  state: 'confirmed' | 'trial';
  trialBootsLeft: number;
  floor: number;
  trialWindowSeconds: number;
  confirmed: ImageSlot;
  /** Present exactly when state is 'trial'. */
  trial?: ImageSlot;
  /**
   * State confirmed only: the previous confirmed image, still whole in the other bank. The
   * bootloader starts it when the confirmed image fails its check. Cleared before anything
   * in that bank is erased or programmed.
   */
  fallback?: ImageSlot;
  /**
   * Set by the bootloader: 'fell-back' when it started the fallback because the confirmed
   * image failed its check; 'rebuilt' when no copy was valid and it found the image by its
   * metadata record. The agent reports it, then writes the record without it.
   */
  event?: BootEvent;
  /** The last image the bootloader reverted; refused until a higher version is confirmed. */
  refused?: { version: number; digest: Uint8Array };
}

const ZERO32 = new Uint8Array(32);

export function encodeBootRecord(r: BootRecord): Uint8Array {
  const b = new Uint8Array(BOOT_RECORD_SIZE);
  writeU32(b, 0, BOOT_RECORD_MAGIC);
  writeU32(b, 4, r.seq >>> 0);
  b[8] = BOOT_RECORD_FORMAT;
  b[9] = r.state === 'trial' ? BootState.trial : BootState.confirmed;
  b[10] = r.trialBootsLeft & 0xff;
  b[11] =
    r.event === 'fell-back'
      ? BootEventCode.fellBack
      : r.event === 'rebuilt'
        ? BootEventCode.rebuilt
        : BootEventCode.none;
  writeU32(b, 12, r.floor >>> 0);
  writeU32(b, 16, r.trialWindowSeconds >>> 0);
  putSlot(b, 20, r.confirmed);
  if (r.state === 'trial' && r.trial) putSlot(b, 64, r.trial);
  else if (r.state === 'confirmed' && r.fallback && r.fallback.bank !== r.confirmed.bank) putSlot(b, 64, r.fallback);
  else b[64] = NO_BANK;
  if (r.refused) {
    writeU32(b, 108, r.refused.version >>> 0);
    b.set(r.refused.digest, 112);
  }
  writeU32(b, 144, crc32(b, 0, 144));
  return b;
}

/** The record, or undefined when these bytes are not a valid, consistent record. */
export function decodeBootRecord(b: Uint8Array): BootRecord | undefined {
  if (b.length < BOOT_RECORD_SIZE) return undefined;
  if (readU32(b, 0) !== BOOT_RECORD_MAGIC || b[8] !== BOOT_RECORD_FORMAT) return undefined;
  if (crc32(b, 0, 144) !== readU32(b, 144)) return undefined;
  const state = b[9];
  if (state !== BootState.confirmed && state !== BootState.trial) return undefined;
  const confirmed = getSlot(b, 20);
  if (confirmed.bank > 1) return undefined;
  const r: BootRecord = {
    seq: readU32(b, 4),
    state: state === BootState.trial ? 'trial' : 'confirmed',
    trialBootsLeft: b[10],
    floor: readU32(b, 12),
    trialWindowSeconds: readU32(b, 16),
    confirmed,
  };
  if (state === BootState.trial) {
    const trial = getSlot(b, 64);
    if (trial.bank > 1 || trial.bank === confirmed.bank) return undefined;
    r.trial = trial;
  } else {
    const fallback = getSlot(b, 64);
    if (fallback.bank <= 1 && fallback.bank !== confirmed.bank) r.fallback = fallback;
  }
  if (b[11] === BootEventCode.fellBack) r.event = 'fell-back';
  else if (b[11] === BootEventCode.rebuilt) r.event = 'rebuilt';
  const refusedDigest = b.slice(112, 144);
  if (!equalBytes(refusedDigest, ZERO32)) r.refused = { version: readU32(b, 108), digest: refusedDigest };
  return r;
}

function putSlot(b: Uint8Array, o: number, s: ImageSlot): void {
  b[o] = s.bank;
  writeU32(b, o + 4, s.version >>> 0);
  writeU32(b, o + 8, s.length >>> 0);
  b.set(s.digest.subarray(0, 32), o + 12);
}

function getSlot(b: Uint8Array, o: number): ImageSlot {
  return { bank: b[o], version: readU32(b, o + 4), length: readU32(b, o + 8), digest: b.slice(o + 12, o + 44) };
}

export interface BootRecordCopies {
  /** The standing record, if either copy is valid. */
  current?: BootRecord;
  /** Which copy (0 = A, 1 = B) holds it. */
  currentCopy: 0 | 1;
  copies: [BootRecord | undefined, BootRecord | undefined];
}

/** Both copies; one that cannot be read counts as invalid, so this never throws. */
export function readBootRecordCopies(flash: Flash, layout: StorageLayout): BootRecordCopies {
  const copies: [BootRecord | undefined, BootRecord | undefined] = [undefined, undefined];
  const buf = new Uint8Array(BOOT_RECORD_SIZE);
  for (const i of [0, 1] as const) {
    copies[i] = tryRead(flash, layout.bootSectors[i] * layout.sectorSize, buf) ? decodeBootRecord(buf) : undefined;
  }
  const [a, b] = copies;
  if (a && b)
    return serialAfter(b.seq, a.seq) ? { current: b, currentCopy: 1, copies } : { current: a, currentCopy: 0, copies };
  if (a) return { current: a, currentCopy: 0, copies };
  if (b) return { current: b, currentCopy: 1, copies };
  return { currentCopy: 0, copies };
}

/** The standing record; BOOT_RECORD_CORRUPT when neither copy is valid. */
export function readBootRecord(flash: Flash, layout: StorageLayout): BootRecord {
  let c: BootRecordCopies;
  try {
    c = readBootRecordCopies(flash, layout);
  } catch (e) {
    throw asOtaError(e, StorageError.flashRead);
  }
  if (!c.current) throw new OtaError(StorageError.bootRecordCorrupt, 'neither boot-control copy is valid');
  return c.current;
}

/**
 * Writes `next` as the new standing record (its `seq` is replaced by the current one + 1)
 * into the copy that does not hold the current record. Returns what was written. A write
 * whose read-back differs (a program that reported success with wrong bits) or that the
 * port refuses is done again, erase included, up to three times; the standing copy is
 * never touched, so every attempt is as safe as the first.
 */
export function writeBootRecord(flash: Flash, layout: StorageLayout, next: BootRecord): BootRecord {
  const c = readBootRecordCopies(flash, layout);
  const target: 0 | 1 = c.current ? (c.currentCopy === 0 ? 1 : 0) : 0;
  const rec: BootRecord = { ...next, seq: c.current ? (c.current.seq + 1) >>> 0 : next.seq >>> 0 };
  const bytes = padTo(encodeBootRecord(rec), layout.writeAlign);
  let failure: unknown;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    try {
      eraseSector(flash, layout.bootSectors[target]);
      programVerified(flash, layout.bootSectors[target] * layout.sectorSize, bytes);
      return rec;
    } catch (e) {
      failure = e;
    }
  }
  throw asOtaError(failure, StorageError.flashWrite);
}

function padTo(bytes: Uint8Array, align: number): Uint8Array {
  if (bytes.length % align === 0) return bytes;
  const out = new Uint8Array(Math.ceil(bytes.length / align) * align);
  out.set(bytes);
  return out;
}
