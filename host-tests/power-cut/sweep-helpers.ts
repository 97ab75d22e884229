/** Checks shared by the storage power-cut tests, with the test's own SHA-256 (node:crypto). */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { Journal } from '../../device/storage/journal.js';
import { readKept } from '../../device/storage/kept-record.js';
import { readCounters, readDownloadProgress, readTrustAnchors } from '../../device/storage/journal-records.js';
import { PowerRail } from '../harness/power-rail.js';
import type { FlashMedia } from '../harness/sim-flash.js';
import type { BootReport, StorageDevice, UpdatePlan } from '../harness/storage-update.js';

export function sha(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(b).digest());
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/**
 * The run ended with the bootloader starting a bank holding the old or the new payload
 * (hashed here from the chip's bytes), the journal whole and no flash misuse. Returns which.
 */
export function checkSettled(dev: StorageDevice, plan: UpdatePlan, reports: BootReport[], label: string): 'old' | 'new' {
  const last = reports[reports.length - 1];
  expect(last.error, `${label}: ${last.error}`).toBeUndefined();
  expect(last.end, `${label}: ended ${last.end}`).toBe('idle');
  expect(last.outcome.kind, label).toBe('boot');
  if (last.outcome.kind !== 'boot') throw new Error('unreachable');
  const bank = dev.layout.banks[last.outcome.bank];
  const media: FlashMedia = dev.media;
  const asNew = hex(sha(media.peek(bank.offset, plan.newPayload.length)));
  const asOld = hex(sha(media.peek(bank.offset, plan.oldPayload.length)));
  const which = asNew === hex(sha(plan.newPayload)) ? 'new' : asOld === hex(sha(plan.oldPayload)) ? 'old' : undefined;
  expect(which, `${label}: bank ${bank.index} holds neither payload`).toBeDefined();
  expect(media.misuse, label).toEqual([]);
  const j = Journal.open(media.attach(new PowerRail()), dev.layout);
  expect(readTrustAnchors(j), label).toEqual(plan.trustAnchors);
  expect([...readCounters(j)], label).toEqual([...plan.counters]);
  expect(readDownloadProgress(j), `${label}: progress left behind`).toBeUndefined();
  const kept = readKept(media.attach(new PowerRail()), dev.layout);
  expect(kept?.trustAnchors, `${label}: kept trust anchors`).toEqual(plan.trustAnchors);
  expect([...(kept?.counters ?? [])], label).toEqual([...plan.counters]);
  const rec = dev.bootRecord();
  // The bank the old image ran from was never written: it still holds the old payload.
  const oldBank = dev.layout.banks[which === 'new' ? 1 - last.outcome.bank : last.outcome.bank];
  expect(hex(sha(media.peek(oldBank.offset, plan.oldPayload.length))), `${label}: old bank changed`).toBe(hex(sha(plan.oldPayload)));
  if (which === 'new') {
    expect(rec.floor, label).toBe(plan.newVersion);
  } else {
    expect(rec.floor, `${label}: floor moved on a revert`).toBe(plan.oldVersion);
    // Only a cut once the trial is activated (in the bootloader's count write or the trial
    // boot itself) may give the update up; a cut before activation must not.
    expect(
      reports.some((r) => r.end === 'cut' && r.activated),
      `${label}: the update was abandoned without a cut after activation`,
    ).toBe(true);
    expect(hex(rec.refused?.digest ?? new Uint8Array()), `${label}: a revert must refuse the image`).toBe(hex(sha(plan.newPayload)));
  }
  return which!;
}

/** Which area of the layout an operation touched, for the sweep's coverage line. */
export function areaOf(dev: StorageDevice, offset: number): string {
  return dev.areaOf(offset);
}
