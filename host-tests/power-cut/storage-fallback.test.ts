/**
 * Boot that always finds a good image when one exists (docs/BOOT.md section 3, rows 1, 7):
 * a damaged confirmed bank boots the fallback; both boot-record copies corrupt or
 * unreadable still boot the newest bank that verifies by its metadata record; the fallback
 * is released before its bank is touched again. Faults come from SimFlash's fault model.
 */
import { describe, expect, it } from 'vitest';
import { bootStatus, releaseFallback } from '../../device/storage/boot-control.js';
import { readBootRecordCopies } from '../../device/storage/boot-record.js';
import { bootloader } from '../../sim/world-parts.js';
import { PowerRail } from '../../sim/power-rail.js';
import { FLASH_PROFILES, type FlashMedia } from '../../sim/sim-flash.js';
import { makePlan } from '../../sim/storage-plan.js';
import { StorageDevice, prepareChip, type UpdatePlan } from '../../sim/storage-update.js';
import { checkSettled, hex, sha } from './sweep-helpers.js';

/** Two flipped bits: a wrong byte without ECC, an unreadable word with it. */
const DAMAGE = 0x03;

describe.each(FLASH_PROFILES)('fallback and rebuild on $name', (profile) => {
  /** Factory image in bank 0, then the new image updated into bank 1 with the default floor (the fallback stays allowed). */
  function updated(): { media: FlashMedia; dev: StorageDevice; plan: UpdatePlan } {
    const plan = makePlan(profile, sha, { confirmFloor: undefined });
    const media = prepareChip(plan);
    const dev = new StorageDevice(media, plan);
    expect(checkSettled(dev, plan, dev.settle(), 'update')).toBe('new');
    return { media, dev, plan };
  }

  it('after a confirm the previous image is the fallback, and the floor still allows it', () => {
    const { dev, plan } = updated();
    const rec = dev.bootRecord();
    expect(rec).toMatchObject({
      state: 'confirmed',
      floor: plan.oldVersion,
      confirmed: { bank: 1, version: plan.newVersion },
      fallback: { bank: 0, version: plan.oldVersion },
    });
    expect(hex(rec.fallback!.digest)).toBe(hex(plan.oldDigest));
  });

  it('a flipped bit in the confirmed bank boots the previous image and records the event for the agent', () => {
    const { media, dev, plan } = updated();
    media.flipBits(dev.layout.banks[1].offset + 777, DAMAGE);
    const out = bootloader(media.attach(new PowerRail()), dev.layout).boot();
    expect(out).toMatchObject({ kind: 'boot', bank: 0, trial: false, row: 7 });
    const rec = dev.bootRecord();
    expect(rec).toMatchObject({
      state: 'confirmed',
      event: 'fell-back',
      floor: plan.oldVersion,
      confirmed: { bank: 0, version: plan.oldVersion },
    });
    expect(rec.fallback).toBeUndefined();
    expect(hex(sha(media.peek(dev.layout.banks[0].offset, plan.oldPayload.length)))).toBe(hex(plan.oldDigest));
    // The next boots start the old image and install the new one again over the damaged bank.
    const reports = dev.settle();
    expect(reports[0].outcome).toMatchObject({ kind: 'boot', bank: 0, row: 6 });
    expect(checkSettled(dev, plan, reports, 'installed again')).toBe('new');
    expect(dev.bootRecord().event).toBeUndefined();
    expect(media.misuse).toEqual([]);
  });

  it('a fallback below the floor (a security fix confirmed with its own version as floor) is not started: halt', () => {
    const plan = makePlan(profile, sha); // confirmFloor = the new version
    const media = prepareChip(plan);
    const dev = new StorageDevice(media, plan);
    expect(checkSettled(dev, plan, dev.settle(), 'update')).toBe('new');
    media.flipBits(dev.layout.banks[1].offset + 5, DAMAGE);
    expect(dev.settle()[0].outcome).toMatchObject({ kind: 'halt', row: 8 });
  });

  for (const how of ['corrupt', 'unreadable'] as const) {
    it(`both boot-record copies ${how}: the newest bank that verifies by its metadata record boots, and a fresh record is written`, () => {
      const { media, dev, plan } = updated();
      for (const s of dev.layout.bootSectors) {
        const at = s * dev.layout.sectorSize + 30;
        if (how === 'corrupt') media.bytes[at] ^= 0x40;
        else if (profile.ecc) media.flipBits(at, DAMAGE);
        else media.bytes[at] ^= 0x40; // a part without ECC has no read faults: the CRC catches it
      }
      const flash = media.attach(new PowerRail());
      expect(readBootRecordCopies(flash, dev.layout).current).toBeUndefined(); // and no throw
      const reports = dev.settle();
      expect(reports[0].outcome).toMatchObject({ kind: 'boot', bank: 1, trial: false, row: 1 });
      expect(reports[reports.length - 1].end).toBe('idle');
      const rec = dev.bootRecord();
      expect(rec).toMatchObject({
        state: 'confirmed',
        event: 'rebuilt',
        floor: plan.newVersion,
        confirmed: { bank: 1, version: plan.newVersion },
      });
      expect(hex(rec.confirmed.digest)).toBe(hex(plan.newDigest));
      expect(media.misuse).toEqual([]);
    });
  }

  it('both copies lost and the newest bank damaged: the older bank that verifies boots', () => {
    const { media, dev, plan } = updated();
    // The factory image has no metadata record: give bank 0 one, as a second update would have.
    const second = makePlan(profile, sha, { seed: 9, newVersion: plan.newVersion + 1, confirmFloor: undefined });
    const next: UpdatePlan = {
      ...second,
      oldPayload: plan.newPayload,
      oldDigest: plan.newDigest,
      oldVersion: plan.newVersion,
      trustAnchors: plan.trustAnchors,
      counters: plan.counters,
    };
    const dev2 = new StorageDevice(media, next);
    expect(checkSettled(dev2, next, dev2.settle(), 'second update')).toBe('new');
    // Bank 0 now holds the newest image; bank 1 the previous one, with its metadata record.
    for (const s of dev.layout.bootSectors) media.bytes[s * dev.layout.sectorSize + 9] ^= 0x7f;
    media.flipBits(dev.layout.banks[0].offset + 40, DAMAGE);
    const out = dev2.settle(1)[0].outcome;
    expect(out).toMatchObject({ kind: 'boot', bank: 1, row: 1 });
    expect(dev2.bootRecord().confirmed.version).toBe(plan.newVersion);
  });

  it('releasing the fallback raises the floor to the running version in the same write', () => {
    const { media, dev, plan } = updated();
    expect(dev.bootRecord()).toMatchObject({ floor: plan.oldVersion, fallback: { bank: 0 } });
    releaseFallback(media.attach(new PowerRail()), dev.layout, 0);
    const rec = dev.bootRecord();
    expect(rec.fallback).toBeUndefined();
    expect(rec.floor).toBe(plan.newVersion);
    // Releasing a bank that is not the fallback writes nothing.
    const before = readBootRecordCopies(media.attach(new PowerRail()), dev.layout).current!.seq;
    releaseFallback(media.attach(new PowerRail()), dev.layout, 0);
    expect(readBootRecordCopies(media.attach(new PowerRail()), dev.layout).current!.seq).toBe(before);
  });

  it('the fallback is released before the next download first touches its bank', () => {
    const { media, dev, plan } = updated();
    expect(dev.bootRecord().fallback?.bank).toBe(0);
    const second = makePlan(profile, sha, { seed: 11, newVersion: plan.newVersion + 1, confirmFloor: undefined });
    const next: UpdatePlan = {
      ...second,
      oldPayload: plan.newPayload,
      oldDigest: plan.newDigest,
      oldVersion: plan.newVersion,
      trustAnchors: plan.trustAnchors,
      counters: plan.counters,
    };
    media.log = [];
    const dev2 = new StorageDevice(media, next);
    expect(checkSettled(dev2, next, dev2.settle(), 'second update')).toBe('new');
    const log = media.log!;
    const firstBank0Change = log.findIndex(
      (op) =>
        dev2.areaOf(op.offset) !== 'boot-record' &&
        dev2.areaOf(op.offset) !== 'journal' &&
        op.offset < dev.layout.banks[1].offset &&
        op.offset >= dev.layout.banks[0].metaOffset &&
        (op.offset < dev.layout.banks[0].metaOffset + dev.layout.banks[0].metaSize ||
          op.offset >= dev.layout.banks[0].offset),
    );
    const release = log.findIndex((op) => op.kind === 'program' && dev2.areaOf(op.offset) === 'boot-record');
    expect(firstBank0Change).toBeGreaterThan(0);
    expect(release).toBeGreaterThanOrEqual(0);
    expect(release).toBeLessThan(firstBank0Change);
    // Every cut between the release and the end leaves a device that boots the old or the new image (the sweep's oracle).
    const rec = dev2.bootRecord();
    expect(rec.fallback).toMatchObject({ bank: 1, version: plan.newVersion });
    // The agent's view: confirmed, running bank 0.
    expect(
      bootStatus(
        { flash: media.attach(new PowerRail()), boot: { runningBank: () => 0, restart: () => {} } },
        dev.layout,
      ).kind,
    ).toBe('confirmed');
  });
});
