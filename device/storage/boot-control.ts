/**
 * The agent's side of the boot-control contract (docs/BOOT.md): provisioning, activating a
 * trial, confirming it with the new rollback floor in the same write, and reading what the
 * bootloader decided (including a revert). The bootloader's side is the decision table in
 * docs/BOOT.md, implemented for tests by sim/sim-bootloader.ts.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { BootControl, Flash } from '../ports.js';
import { equalBytes } from '../util/index.js';
import {
  readBootRecord,
  readBootRecordCopies,
  writeBootRecord,
  type BootRecord,
  type ImageSlot,
} from './boot-record.js';
import { inactiveBank, type StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

export interface BootPorts {
  flash: Flash;
  boot: BootControl;
}

/** What a new image needs to become a trial. */
export interface TrialImage {
  version: number;
  length: number;
  digest: Uint8Array;
}

export interface TrialOptions {
  /** Boots the trial may take before it must be confirmed (default 1: one power cut or hang reverts it). */
  trialBoots?: number;
  /** Watchdog deadline of each trial boot, seconds (default 600). */
  trialWindowSeconds?: number;
}

/** How this boot looks to the agent. */
export type BootStatus =
  /** Running the confirmed image; nothing pending. */
  | { kind: 'confirmed'; record: BootRecord }
  /** Running a trial: self-test, then `confirmTrial` (or do nothing and let the watchdog revert it). */
  | { kind: 'trial'; record: BootRecord; image: ImageSlot }
  /** The record says otherwise than what runs (never expected): no update may start. */
  | { kind: 'inconsistent'; record: BootRecord };

/** Factory step: writes the first record when neither copy is valid. Refuses to overwrite a valid one. */
export function provisionBootRecord(
  flash: Flash,
  layout: StorageLayout,
  image: ImageSlot,
  floor = image.version,
): BootRecord {
  let c;
  try {
    c = readBootRecordCopies(flash, layout);
  } catch (e) {
    throw asOtaError(e, StorageError.flashRead);
  }
  if (c.current) throw new OtaError(StorageError.bootState, 'a boot-control record already exists');
  return writeBootRecord(flash, layout, {
    seq: 1,
    state: 'confirmed',
    trialBootsLeft: 0,
    floor,
    trialWindowSeconds: 0,
    confirmed: copySlot(image),
  });
}

export function bootStatus(ports: BootPorts, layout: StorageLayout): BootStatus {
  const record = readBootRecord(ports.flash, layout);
  const running = runningBankOf(ports.boot);
  if (record.state === 'trial' && record.trial && record.trial.bank === running)
    return { kind: 'trial', record, image: record.trial };
  if (record.state === 'confirmed' && record.confirmed.bank === running) return { kind: 'confirmed', record };
  return { kind: 'inconsistent', record };
}

/**
 * True when an image with this version and payload digest must not be installed: below
 * the floor; the digest of the last reverted image; or a version lower than the reverted
 * one (otherwise two bad images offered in turn would each be tried again after the
 * other's revert, forever). A rebuild with the reverted version but another digest, or any
 * higher version, is allowed. The agent checks this as soon as the manifest is verified,
 * before any erase.
 */
export function isRefused(record: BootRecord, version: number, digest: Uint8Array): boolean {
  if (version < record.floor) return true;
  const r = record.refused;
  return r !== undefined && (equalBytes(r.digest, digest) || version < r.version);
}

/**
 * Activation: the inactive bank (holding a finished, verified payload and its metadata
 * record) becomes a trial; the next boot starts it. Only from the confirmed state and
 * while the confirmed image runs.
 */
export function activateTrial(
  ports: BootPorts,
  layout: StorageLayout,
  image: TrialImage,
  options: TrialOptions = {},
): BootRecord {
  const status = bootStatus(ports, layout);
  if (status.kind !== 'confirmed')
    throw new OtaError(StorageError.bootState, `cannot activate from a ${status.kind} boot`);
  const record = status.record;
  if (image.version < record.floor)
    throw new OtaError(StorageError.belowFloor, `version ${image.version} is below the floor ${record.floor}`);
  if (isRefused(record, image.version, image.digest))
    throw new OtaError(StorageError.refused, 'this image was reverted before');
  if (image.digest.length !== 32) throw new OtaError(StorageError.bootState, 'digest must be 32 bytes');
  const trialBoots = options.trialBoots ?? 1;
  if (!Number.isInteger(trialBoots) || trialBoots < 1 || trialBoots > 255)
    throw new OtaError(StorageError.bootState, `trial boots ${trialBoots}`);
  const bank = inactiveBank(layout, record.confirmed.bank).index;
  const next: BootRecord = { ...record };
  delete next.fallback;
  delete next.event;
  return writeBootRecord(ports.flash, layout, {
    ...next,
    state: 'trial',
    trialBootsLeft: trialBoots,
    trialWindowSeconds: options.trialWindowSeconds ?? 600,
    trial: { bank, version: image.version, length: image.length, digest: image.digest.slice() },
  });
}

/**
 * Confirms the running trial after its self-test, and raises the rollback floor in the
 * same write (the floor never goes down). The image confirmed before becomes the
 * fallback: it stays whole in the other bank until the next download clears it.
 *
 * Default floor: the fallback's version, so the bootloader may start the previous image
 * if the new one fails its check at a later boot (one image back, never further; offers
 * over the air are still refused at or below the running version). An image that must
 * never be rolled back (a security fix) passes `newFloor` = its version: the fallback is
 * then below the floor and is never started. A confirmed version above the refused one
 * clears the refusal.
 */
export function confirmTrial(ports: BootPorts, layout: StorageLayout, newFloor?: number): BootRecord {
  const status = bootStatus(ports, layout);
  if (status.kind !== 'trial') throw new OtaError(StorageError.bootState, `cannot confirm from a ${status.kind} boot`);
  const { record, image } = status;
  const floor = Math.max(record.floor, Math.min(newFloor ?? record.confirmed.version, image.version));
  const next: BootRecord = {
    seq: record.seq,
    state: 'confirmed',
    trialBootsLeft: 0,
    floor,
    trialWindowSeconds: 0,
    confirmed: copySlot(image),
    fallback: copySlot(record.confirmed),
  };
  if (record.refused && record.refused.version >= image.version) next.refused = record.refused;
  return writeBootRecord(ports.flash, layout, next);
}

/**
 * What the bootloader did at this boot that the supplier must hear of ('fell-back',
 * 'rebuilt'), or undefined. The agent reports it, then calls `acknowledgeBootEvent`; a
 * cut between the two reports it again at the next boot.
 */
export function bootEvent(ports: BootPorts, layout: StorageLayout): BootRecord['event'] {
  return readBootRecord(ports.flash, layout).event;
}

/** Writes the standing record without its boot event (no write when it has none). */
export function acknowledgeBootEvent(ports: BootPorts, layout: StorageLayout): void {
  const record = readBootRecord(ports.flash, layout);
  if (!record.event) return;
  const next: BootRecord = { ...record };
  delete next.event;
  writeBootRecord(ports.flash, layout, next);
}

/**
 * Before the first erase or program of `bank` (the inactive one): a standing record that
 * still names it as the fallback is written without it, so the bootloader never starts a
 * bank that is being overwritten, and with the floor raised to the running version in the
 * same write: once the previous image is gone nothing older may boot (the floor lags the
 * running version by one image only while that image is kept whole as the fallback). No
 * write when it is not the fallback.
 */
export function releaseFallback(flash: Flash, layout: StorageLayout, bank: number): void {
  const record = readBootRecordCopies(flash, layout).current;
  if (!record || !record.fallback || record.fallback.bank !== bank) return;
  const next: BootRecord = { ...record, floor: Math.max(record.floor, record.confirmed.version) };
  delete next.fallback;
  writeBootRecord(flash, layout, next);
}

/** True when the inactive bank may be written: the confirmed image runs and no trial is pending. */
export function mayWriteInactive(ports: BootPorts, layout: StorageLayout): boolean {
  return bootStatus(ports, layout).kind === 'confirmed';
}

function copySlot(s: ImageSlot): ImageSlot {
  return { bank: s.bank, version: s.version, length: s.length, digest: s.digest.slice() };
}

function runningBankOf(boot: BootControl): number {
  try {
    return boot.runningBank();
  } catch (e) {
    throw new OtaError(StorageError.runningBank, `running bank unknown: ${(e as Error)?.message ?? String(e)}`);
  }
}
