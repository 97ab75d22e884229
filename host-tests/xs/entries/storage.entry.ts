/**
 * XS-lane cases for device/storage: the storage-level update with its reference
 * bootloader, run inside XS with power cuts. The bank bytes go back to the Node test,
 * which hashes them itself.
 */
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import { Journal } from '../../../device/storage/journal.js';
import { readCounters, readDownloadProgress, readTrustAnchors } from '../../../device/storage/journal-records.js';
import { toHex } from '../../../device/util/bytes.js';
import { readKept } from '../../../device/storage/kept-record.js';
import { bootloader } from '../../../sim/world-parts.js';
import { PowerRail } from '../../../sim/power-rail.js';
import { FLASH_PROFILES, type FlashMedia } from '../../../sim/sim-flash.js';
import { makePlan } from '../../../sim/storage-plan.js';
import { StorageDevice, prepareChip, type UpdatePlan } from '../../../sim/storage-update.js';
import { serve } from './serve.js';

const digest = (b: Uint8Array) => {
  const h = nobleSha256.create();
  h.update(b);
  return h.digest();
};

const plans = new Map<string, UpdatePlan>();
function planFor(profileName: string): UpdatePlan {
  let p = plans.get(profileName);
  if (!p) {
    const profile = FLASH_PROFILES.find((f) => f.name === profileName);
    if (!profile) throw new Error(`no profile ${profileName}`);
    // Three sectors of payload: every kind of write still happens, and XS's pure-JS SHA-256
    // (the bootloader hashes the bank at every boot) stays affordable across dozens of boots.
    p = makePlan(profile, digest, { payloadSize: 8 * 1024 + 3, oldSize: 7_000, journalRoomLeft: 400 });
    plans.set(profileName, p);
  }
  return p;
}

function summary(
  dev: StorageDevice,
  media: FlashMedia,
  plan: UpdatePlan,
  reports: ReturnType<StorageDevice['settle']>,
) {
  const last = reports[reports.length - 1];
  const bank = last.outcome.kind === 'boot' ? dev.layout.banks[last.outcome.bank] : undefined;
  const j = Journal.open(media.attach(new PowerRail()), dev.layout);
  const rec = dev.bootRecord();
  return {
    ends: reports.map((r) => r.end),
    lastError: last.error ?? null,
    cutAfterActivation: reports.some((r) => r.end === 'cut' && r.activated),
    bootedBank: bank ? bank.index : -1,
    bankHexNewLength: bank ? toHex(media.peek(bank.offset, plan.newPayload.length)) : '',
    bankHexOldLength: bank ? toHex(media.peek(bank.offset, plan.oldPayload.length)) : '',
    misuse: media.misuse.slice(),
    anchorsKept: toHex(readTrustAnchors(j) ?? new Uint8Array()) === toHex(plan.trustAnchors),
    countersKept: JSON.stringify([...readCounters(j)]) === JSON.stringify([...plan.counters]),
    progressCleared: readDownloadProgress(j) === undefined,
    floor: rec.floor,
    refusedHex: rec.refused ? toHex(rec.refused.digest) : '',
  };
}

serve({
  /**
   * Faults of real parts inside XS: after an update (default floor, so the old image is the
   * fallback), the confirmed bank gets an uncorrectable word or flipped bits, then both
   * boot-record copies and the journal header are damaged too. Returns what booted.
   */
  faults: (args: { profile: string }) => {
    const base = planFor(args.profile);
    const plan: UpdatePlan = { ...base, confirmFloor: undefined };
    const media = prepareChip(plan);
    const dev = new StorageDevice(media, plan);
    const first = dev.settle().map((r) => r.end);
    const bank1 = dev.layout.banks[1];
    media.flipBits(bank1.offset + 321, 0x03);
    const fallback = bootloader(media.attach(new PowerRail()), dev.layout).boot();
    const afterFallback = dev.bootRecord();
    // Both copies and the active journal header damaged: the bank that verifies still boots, the trust anchors still read.
    for (const s of dev.layout.bootSectors) media.flipBits(s * dev.layout.sectorSize + 17, 0x03);
    for (const s of dev.layout.journalSectors) media.flipBits(s * dev.layout.sectorSize + 1, 0x03);
    const rebuilt = bootloader(media.attach(new PowerRail()), dev.layout).boot();
    const flash = media.attach(new PowerRail());
    const j = Journal.open(flash, dev.layout);
    return {
      first,
      fallback,
      fallbackEvent: afterFallback.event ?? null,
      rebuilt,
      rebuiltEvent: dev.bootRecord().event ?? null,
      anchorsFromJournal: toHex(readTrustAnchors(j) ?? new Uint8Array()) === toHex(plan.trustAnchors),
      anchorsFromKept:
        toHex(readKept(flash, dev.layout)?.trustAnchors ?? new Uint8Array()) === toHex(plan.trustAnchors),
      misuse: media.misuse.slice(),
    };
  },

  /** The payloads, so the Node side can hash them itself. */
  payloads: (args: { profile: string }) => {
    const p = planFor(args.profile);
    return {
      oldHex: toHex(p.oldPayload),
      newHex: toHex(p.newPayload),
      oldVersion: p.oldVersion,
      newVersion: p.newVersion,
    };
  },

  /** A clean update: its operation count and each operation's category. */
  cleanRun: (args: { profile: string }) => {
    const plan = planFor(args.profile);
    const media = prepareChip(plan);
    const start = media.ops;
    media.log = [];
    const dev = new StorageDevice(media, plan);
    const reports = dev.settle();
    const journalErases = media.log
      .filter((op) => op.kind === 'erase' && dev.areaOf(op.offset) === 'journal')
      .map((op) => op.index);
    const rotationFrom = journalErases[0] ?? Infinity;
    const rotationTo = journalErases[journalErases.length - 1] ?? -Infinity;
    const categories = media.log.map((op) => {
      const area = dev.areaOf(op.offset);
      if (area === 'journal')
        return op.index >= rotationFrom && op.index <= rotationTo ? 'journal-rotation' : 'journal-append';
      if (area === 'bank') return `bank-${op.kind}`;
      return area === 'boot-record' ? 'boot-record' : `${area}-${op.kind}`;
    });
    return { n: media.ops - start, categories, ...summary(dev, media, plan, reports) };
  },

  /** The same update with power cut at operation `at` (clean or torn), then rebooted until settled. */
  cutRun: (args: { profile: string; at: number; torn: boolean; seed: number }) => {
    const plan = planFor(args.profile);
    const media = prepareChip(plan, args.seed);
    media.cutPowerAt(media.ops + args.at, { torn: args.torn });
    const dev = new StorageDevice(media, plan);
    const reports = dev.settle();
    return { cutFired: media.cutFired, ...summary(dev, media, plan, reports) };
  },
});
