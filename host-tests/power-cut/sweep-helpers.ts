/** Checks shared by the storage power-cut tests, with the test's own SHA-256 (node:crypto). */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { Journal } from '../../device/storage/journal.js';
import type { StorageLayout } from '../../device/storage/layout.js';
import { crc32 } from '../../device/util/crc32.js';
import { readKept } from '../../device/storage/kept-record.js';
import { readCounters, readDownloadProgress, readTrustAnchors } from '../../device/storage/journal-records.js';
import { PowerRail } from '../../sim/power-rail.js';
import type { FlashMedia } from '../../sim/sim-flash.js';
import type { BootReport, StorageDevice, UpdatePlan } from '../../sim/storage-update.js';

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
export function checkSettled(
  dev: StorageDevice,
  plan: UpdatePlan,
  reports: BootReport[],
  label: string,
): 'old' | 'new' {
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
  expect(hex(sha(media.peek(oldBank.offset, plan.oldPayload.length))), `${label}: old bank changed`).toBe(
    hex(sha(plan.oldPayload)),
  );
  if (which === 'new') {
    expect(rec.floor, label).toBe(plan.confirmFloor ?? plan.oldVersion);
  } else {
    expect(rec.floor, `${label}: floor moved on a revert`).toBe(plan.oldVersion);
    // Only a cut once the trial is activated (in the bootloader's count write or the trial
    // boot itself) may give the update up; a cut before activation must not.
    expect(
      reports.some((r) => r.end === 'cut' && r.activated),
      `${label}: the update was abandoned without a cut after activation`,
    ).toBe(true);
    expect(hex(rec.refused?.digest ?? new Uint8Array()), `${label}: a revert must refuse the image`).toBe(
      hex(sha(plan.newPayload)),
    );
  }
  return which!;
}

/** Which area of the layout an operation touched, for the sweep's coverage line. */
export function areaOf(dev: StorageDevice, offset: number): string {
  return dev.areaOf(offset);
}

/**
 * Commit-word order, checked on the chip's stored bytes after a cut, with the test's own
 * parsing (docs/BOOT.md sections 5 and 6), before the next boot mends anything:
 * - a bank's metadata record whose header and commit word are in place has its whole body
 *   (the body is programmed first);
 * - every journal commit word in place closes a record whose data is whole (the data is
 *   programmed, and read back, first).
 * A word the chip cannot read (ECC) is not "in place". Returns the violations found.
 */
export function commitOrderViolations(media: FlashMedia, layout: StorageLayout): string[] {
  const out: string[] = [];
  const a = layout.writeAlign;
  const intact = (offset: number, length: number) => !media.unreadable(offset, length);
  const commit = (size: number) => Uint8Array.from({ length: size }, (_, i) => COMMIT[i & 3]);
  const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((b, i) => b === y[i]);
  // Metadata: 56-byte header, then the commit word, then the body.
  for (const bank of layout.banks) {
    const headerSize = Math.ceil(56 / a) * a;
    const commitSize = Math.ceil(4 / a) * a;
    const head = media.peek(bank.metaOffset, headerSize);
    if (!intact(bank.metaOffset, headerSize + commitSize)) continue;
    if (u32(head, 0) !== 0x444d4841 || crc32(head, 0, 52) !== u32(head, 52)) continue;
    if (!same(media.peek(bank.metaOffset + headerSize, commitSize), commit(commitSize))) continue;
    const length = u32(head, 4);
    const bodyAt = bank.metaOffset + headerSize + commitSize;
    if (!intact(bodyAt, length) || crc32(media.peek(bodyAt, length)) !== u32(head, 8))
      out.push(`metadata of bank ${bank.index} committed without its body`);
  }
  // Journal: records from offset 16 on R-byte boundaries; the commit word follows the data, aligned to writeAlign.
  const R = Math.max(8, a);
  const commitSize = Math.ceil(4 / a) * a;
  for (const sector of layout.journalSectors) {
    const base = sector * layout.sectorSize;
    // Only a sector with a whole header: a torn erase leaves random bits that may spell anything.
    const header = media.peek(base, 12);
    if (!intact(base, 12) || u32(header, 0) !== 0x314a4841 || crc32(header, 0, 8) !== u32(header, 8)) continue;
    for (let p = 16; p + commitSize <= layout.sectorSize; p += a) {
      if (!intact(base + p, commitSize) || !same(media.peek(base + p, commitSize), commit(commitSize))) continue;
      let closes = false;
      for (let pos = p % R === 0 ? p - R : p - (p % R); pos >= 16 && pos >= p - 2100 && !closes; pos -= R) {
        const h = media.peek(base + pos, 8);
        const type = h[0];
        const length = h[2] | (h[3] << 8);
        if (type < 1 || type > 127 || h[1] !== (~type & 0xff)) continue;
        if (pos + Math.ceil((8 + length + 4) / a) * a !== p) continue;
        const data = media.peek(base + pos, 8 + length + 4);
        closes = intact(base + pos, data.length) && crc32(data, 0, 8 + length) === u32(data, 8 + length);
      }
      if (!closes) out.push(`journal commit word at sector ${sector} offset ${p} without a whole record before it`);
    }
  }
  return out;
}

const COMMIT = [0xc3, 0x5a, 0x3c, 0xa5];

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
