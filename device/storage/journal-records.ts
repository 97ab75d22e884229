/**
 * The record types the agent keeps in the journal, and their bodies.
 *
 * | type | name              | body                                                        |
 * |------|-------------------|-------------------------------------------------------------|
 * | 1    | DOWNLOAD_PROGRESS | deterministic CBOR map (below), or CBOR null = no download   |
 * | 2    | TRUST_ANCHORS     | opaque bytes; device/pki owns their encoding                 |
 * | 3    | COUNTERS          | deterministic CBOR map, unsigned key → unsigned count        |
 *
 * DOWNLOAD_PROGRESS map keys: 1 manufacturer code, 2 image type, 3 file version,
 * 4 manifest digest (SHA-256 of the signed manifest, 32 bytes: the image's identity
 * beyond what the header says), 5 file offset (next byte of the OTA file to request),
 * 6 payload offset (bank bytes [0, this) are programmed), 7 payload length, 8 bank,
 * 9 stage (0 downloading, 1 payload complete and verified, 2 metadata record written).
 *
 * How the OTA client uses it:
 *   - after `BankWriter.flush()` returns `durable`, record
 *     `{...identity, fileOffset: payloadFileOffset + durable, payloadOffset: durable, stage: 0}`;
 *     a cut then loses at most what was received since that record;
 *   - at boot, `readDownloadProgress(journal)`; if its identity is the image being offered,
 *     `BankWriter.resume(..., progress.payloadOffset, { hashInto, onStepBack })`, where
 *     `onStepBack(offset)` records progress at that lower offset (resume calls it before it
 *     erases a sector the old record vouched for); then request the file from
 *     `payloadFileOffset + writer.offset`;
 *   - before `BankWriter.begin` for an image, clear (or rewrite at offset 0) a progress
 *     record that names it;
 *   - stage 1 after `finish`, stage 2 after `writeMetadata`; then `activateTrial`;
 *   - when the new image is confirmed, or refused after a revert (the boot record's refused
 *     version equals the record's file version: report the failure), `clearDownloadProgress`.
 */
import { OtaError } from '../errors.js';
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../util/index.js';
import type { Journal } from './journal.js';
import { StorageError } from './storage-errors.js';

export const JournalType = {
  downloadProgress: 1,
  trustAnchors: 2,
  counters: 3,
} as const;

export const DownloadStage = { downloading: 0, payloadComplete: 1, metadataWritten: 2 } as const;
export type DownloadStageValue = (typeof DownloadStage)[keyof typeof DownloadStage];

export interface ImageIdentity {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  /** SHA-256 of the signed manifest (32 bytes). */
  manifestDigest: Uint8Array;
}

export interface DownloadProgress extends ImageIdentity {
  /** Next byte of the OTA file to request. */
  fileOffset: number;
  /** Bank bytes [0, payloadOffset) are programmed and read back. */
  payloadOffset: number;
  payloadLength: number;
  /** The bank being written. */
  bank: number;
  stage: DownloadStageValue;
}

export function sameImage(a: ImageIdentity, b: ImageIdentity): boolean {
  if (a.manufacturerCode !== b.manufacturerCode || a.imageType !== b.imageType || a.fileVersion !== b.fileVersion)
    return false;
  if (a.manifestDigest.length !== b.manifestDigest.length) return false;
  for (let i = 0; i < a.manifestDigest.length; i++) if (a.manifestDigest[i] !== b.manifestDigest[i]) return false;
  return true;
}

export function encodeDownloadProgress(p: DownloadProgress): Uint8Array {
  for (const [name, v] of [
    ['manufacturerCode', p.manufacturerCode],
    ['imageType', p.imageType],
    ['fileVersion', p.fileVersion],
    ['fileOffset', p.fileOffset],
    ['payloadOffset', p.payloadOffset],
    ['payloadLength', p.payloadLength],
    ['bank', p.bank],
    ['stage', p.stage],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new OtaError(StorageError.journalRecord, `progress ${name} ${v}`);
  }
  if (p.manifestDigest.length !== 32)
    throw new OtaError(StorageError.journalRecord, 'manifest digest must be 32 bytes');
  return encodeCbor(
    new Map<number, CborValue>([
      [1, p.manufacturerCode],
      [2, p.imageType],
      [3, p.fileVersion],
      [4, p.manifestDigest],
      [5, p.fileOffset],
      [6, p.payloadOffset],
      [7, p.payloadLength],
      [8, p.bank],
      [9, p.stage],
    ]),
  );
}

/** Undefined for "no download in progress"; a body that is not a progress record is refused. */
export function decodeDownloadProgress(body: Uint8Array): DownloadProgress | undefined {
  const v = decodeCbor(body, { maxDepth: 2 });
  if (v === null) return undefined;
  if (!(v instanceof Map) || v.size !== 9)
    throw new OtaError(StorageError.journalRecord, 'progress body is not a 9-key map');
  const m = v as CborMap;
  const u = (k: number): number => {
    const x = m.get(k);
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      throw new OtaError(StorageError.journalRecord, `progress key ${k}`);
    return x;
  };
  const digest = m.get(4);
  if (!(digest instanceof Uint8Array) || digest.length !== 32)
    throw new OtaError(StorageError.journalRecord, 'progress digest');
  const stage = u(9);
  if (stage > 2) throw new OtaError(StorageError.journalRecord, `progress stage ${stage}`);
  return {
    manufacturerCode: u(1),
    imageType: u(2),
    fileVersion: u(3),
    manifestDigest: digest,
    fileOffset: u(5),
    payloadOffset: u(6),
    payloadLength: u(7),
    bank: u(8),
    stage: stage as DownloadStageValue,
  };
}

export function recordDownloadProgress(journal: Journal, p: DownloadProgress): void {
  journal.append(JournalType.downloadProgress, encodeDownloadProgress(p));
}

export function readDownloadProgress(journal: Journal): DownloadProgress | undefined {
  const body = journal.latest(JournalType.downloadProgress);
  return body ? decodeDownloadProgress(body) : undefined;
}

export function clearDownloadProgress(journal: Journal): void {
  journal.append(JournalType.downloadProgress, encodeCbor(null));
}

/** Opaque trust-anchor bytes (device/pki's encoding). */
export function recordTrustAnchors(journal: Journal, bytes: Uint8Array): void {
  journal.append(JournalType.trustAnchors, bytes);
}

export function readTrustAnchors(journal: Journal): Uint8Array | undefined {
  return journal.latest(JournalType.trustAnchors);
}

export type Counters = Map<number, number>;

export function recordCounters(journal: Journal, counters: Counters): void {
  const keys = [...counters.keys()].sort((a, b) => a - b);
  const m = new Map<number, CborValue>();
  for (const k of keys) {
    const v = counters.get(k)!;
    if (!Number.isInteger(k) || k < 0 || !Number.isInteger(v) || v < 0)
      throw new OtaError(StorageError.journalRecord, `counter ${k}=${v}`);
    m.set(k, v);
  }
  journal.append(JournalType.counters, encodeCbor(m));
}

export function readCounters(journal: Journal): Counters {
  const body = journal.latest(JournalType.counters);
  const out: Counters = new Map();
  if (!body) return out;
  const v = decodeCbor(body, { maxDepth: 1 });
  if (!(v instanceof Map)) throw new OtaError(StorageError.journalRecord, 'counters body is not a map');
  for (const [k, x] of v) {
    if (typeof k !== 'number' || typeof x !== 'number')
      throw new OtaError(StorageError.journalRecord, 'counters entry');
    out.set(k, x);
  }
  return out;
}
