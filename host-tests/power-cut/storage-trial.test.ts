/**
 * Trial boots that fail: a new image that never confirms (its watchdog restarts it) and
 * one that loses power during its first trial boot both end on the old image, with the
 * floor unchanged and the image refused until a higher version comes. Also the wear an
 * update costs, printed for docs/BOOT.md.
 */
import { describe, expect, it } from 'vitest';
import { PowerRail } from '../../sim/power-rail.js';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { makePlan } from '../../sim/storage-plan.js';
import { StorageDevice, prepareChip, type UpdatePlan } from '../../sim/storage-update.js';
import { activateTrial, isRefused } from '../../device/storage/boot-control.js';
import { isOtaError } from '../../device/errors.js';
import { areaOf, checkSettled, hex, sha } from './sweep-helpers.js';

describe.each(FLASH_PROFILES)('failed trials on $name', (profile) => {
  it('a new image that never confirms is reverted by the watchdog rule; floor unchanged, image refused', () => {
    const plan = makePlan(profile, sha, { selfTest: 'hang' });
    const media = prepareChip(plan);
    const dev = new StorageDevice(media, plan);
    const reports = dev.settle();
    expect(reports.map((r) => r.end)).toEqual(['restart', 'hang', 'idle']);
    const trialBoot = reports[1].outcome;
    expect(trialBoot).toMatchObject({ kind: 'boot', trial: true, row: 5, watchdogSeconds: 600 });
    expect(reports[2].outcome).toMatchObject({ kind: 'boot', trial: false, bank: 0, row: 3 });
    // A "cut during trial" check does not apply here: the watchdog, not a cut, ended the trial.
    const rec = dev.bootRecord();
    expect(rec.state).toBe('confirmed');
    expect(rec.confirmed.bank).toBe(0);
    expect(rec.floor).toBe(plan.oldVersion);
    expect(hex(rec.refused!.digest)).toBe(hex(sha(plan.newPayload)));
    expect(hex(sha(media.peek(dev.layout.banks[0].offset, plan.oldPayload.length)))).toBe(hex(sha(plan.oldPayload)));
    expect(media.misuse).toEqual([]);
  });

  it('a new image that loses power during its first trial boot ends on the old image, floor unchanged', () => {
    const plan = makePlan(profile, sha);
    const media = prepareChip(plan);
    const dev = new StorageDevice(media, plan);
    const reports = dev.settle(20, () => ({ cutDuringTrial: true }));
    expect(reports.map((r) => r.end)).toEqual(['restart', 'cut', 'idle']);
    expect(checkSettled(dev, plan, reports, 'cut in trial')).toBe('old');
    expect(dev.bootRecord().floor).toBe(plan.oldVersion);
  });

  it('the refused image is not downloaded again, and a higher version installs and lifts the refusal', () => {
    const plan = makePlan(profile, sha, { selfTest: 'hang' });
    const media = prepareChip(plan);
    new StorageDevice(media, plan).settle();
    // The same image offered again: refused before any flash work.
    const opsBefore = media.ops;
    const again = new StorageDevice(media, { ...plan, selfTest: 'pass' });
    expect(again.settle().map((r) => r.end)).toEqual(['idle']);
    expect(media.ops).toBe(opsBefore);
    const rail = new PowerRail();
    const ports = { flash: media.attach(rail), boot: { runningBank: () => 0, restart: () => {} } };
    let err: unknown;
    try {
      activateTrial(ports, again.layout, {
        version: plan.newVersion,
        length: plan.newPayload.length,
        digest: sha(plan.newPayload),
      });
    } catch (e) {
      err = e;
    }
    expect(isOtaError(err, 'BOOT_IMAGE_REFUSED')).toBe(true);
    // A higher version with a new payload installs and clears the refusal.
    const higher = makePlan(profile, sha, { seed: 77, newVersion: plan.newVersion + 1 });
    const next: UpdatePlan = {
      ...higher,
      oldPayload: plan.oldPayload,
      oldDigest: plan.oldDigest,
      oldVersion: plan.oldVersion,
      trustAnchors: plan.trustAnchors,
      counters: plan.counters,
    };
    const dev = new StorageDevice(media, next);
    expect(checkSettled(dev, next, dev.settle(), 'higher version')).toBe('new');
    const rec = dev.bootRecord();
    expect(rec.refused).toBeUndefined();
    expect(rec.floor).toBe(next.newVersion);
    // Below the floor is refused as well.
    expect(isRefused(rec, next.newVersion - 1, new Uint8Array(32).fill(9))).toBe(true);
  });
});

describe.each(FLASH_PROFILES)('flash wear per update on $name', (profile) => {
  it('prints erases per sector and journal records per update over consecutive updates', () => {
    const UPDATES = 10;
    const first = makePlan(profile, sha);
    const media = prepareChip(first);
    const erasesBefore = Uint32Array.from(media.eraseCount);
    media.log = [];
    let plan = first;
    let layout = new StorageDevice(media, plan).layout;
    for (let k = 0; k < UPDATES; k++) {
      const fresh = makePlan(profile, sha, { seed: 500 + k, newVersion: first.newVersion + k });
      const next: UpdatePlan = {
        ...fresh,
        oldPayload: k === 0 ? first.oldPayload : plan.newPayload,
        oldDigest: k === 0 ? first.oldDigest : plan.newDigest,
        oldVersion: k === 0 ? first.oldVersion : plan.newVersion,
        trustAnchors: first.trustAnchors,
        counters: first.counters,
      };
      const dev = new StorageDevice(media, next);
      layout = dev.layout;
      expect(checkSettled(dev, next, dev.settle(), `update ${k}`)).toBe('new');
      plan = next;
    }
    const perSector = [...media.eraseCount].map((n, s) => (n - erasesBefore[s]) / UPDATES);
    const dev = new StorageDevice(media, plan);
    const named = perSector.map((e, s) => `${areaOf(dev, s * layout.sectorSize)}[${s}]=${e.toFixed(1)}`);
    const journalPrograms = media.log!.filter((op) => op.kind === 'program' && areaOf(dev, op.offset) === 'journal');
    const headers = journalPrograms.filter((op) => op.offset % layout.sectorSize === 0).length;
    const records = (journalPrograms.length - headers) / 2;
    const rotations = media.log!.filter((op) => op.kind === 'erase' && areaOf(dev, op.offset) === 'journal').length / 2;
    console.log(
      `wear ${profile.name} over ${UPDATES} updates of ${plan.newPayload.length} bytes: erases per sector per update ${named.join(' ')}; ` +
        `journal records written per update ${(records / UPDATES).toFixed(1)}: appends ${((records - 3 * rotations) / UPDATES).toFixed(1)}, ` +
        `rotation copies ${((3 * rotations) / UPDATES).toFixed(1)} (${(rotations / UPDATES).toFixed(2)} rotations per update, two erases each)`,
    );
    // Each payload sector of the written bank is erased once per update, never more.
    for (const b of layout.banks)
      for (let s = b.firstSector; s < b.firstSector + b.sectorCount; s++) expect(perSector[s]).toBeLessThanOrEqual(1);
    // Journal appends never erase: its sectors are erased only by rotations (two erases each).
    expect(rotations).toBeLessThan(records / 10);
  });
});
