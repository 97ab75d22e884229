/**
 * Exhaustive power-cut sweep of one storage-level update (MCUboot simulator style, plus
 * torn operations): count the flash operations N of a clean update, bootloader writes
 * included, then replay it N times cutting power before operation i and N times tearing
 * operation i, on both flash profiles. After each cut the device reboots and carries on.
 */
import { describe, expect, it } from 'vitest';
import { FLASH_PROFILES } from '../harness/sim-flash.js';
import { makePlan } from '../harness/storage-plan.js';
import { StorageDevice, prepareChip } from '../harness/storage-update.js';
import { areaOf, checkSettled, sha } from './sweep-helpers.js';

describe.each(FLASH_PROFILES)('storage update power-cut sweep on $name', (profile) => {
  it('every cut, clean or torn, ends on the old or the new image; before the trial boot, always on the new', () => {
    const t0 = performance.now();
    const plan = makePlan(profile, sha);
    // The clean run: count operations and find where the trial boot's own writes begin.
    const clean = prepareChip(plan);
    const start = clean.ops;
    clean.log = [];
    const dev0 = new StorageDevice(clean, plan);
    const reports0 = dev0.settle();
    expect(checkSettled(dev0, plan, reports0, 'clean run')).toBe('new');
    expect(reports0.map((r) => r.end)).toEqual(['restart', 'confirmed', 'idle']);
    const N = clean.ops - start;
    const bootWrites = clean.log.filter((op) => op.kind === 'erase' && areaOf(dev0, op.offset) === 'boot-record').map((op) => op.index - start);
    // activation, the bootloader's trial-boot count, the confirmation
    expect(bootWrites).toHaveLength(3);
    const trialBootStart = bootWrites[2];
    const areas = new Map<string, number>();
    for (const op of clean.log) areas.set(`${op.kind}:${areaOf(dev0, op.offset)}`, (areas.get(`${op.kind}:${areaOf(dev0, op.offset)}`) ?? 0) + 1);

    let runs = 0;
    const ends = { old: 0, new: 0 };
    for (let i = 0; i < N; i++) {
      for (const torn of [false, true]) {
        const media = prepareChip(plan, 1000 + i);
        media.cutPowerAt(media.ops + i, { torn });
        const dev = new StorageDevice(media, plan);
        const reports = dev.settle();
        const label = `${profile.name} ${torn ? 'torn' : 'clean'} cut at op ${i}/${N}`;
        expect(media.cutFired, label).toBe(true);
        const which = checkSettled(dev, plan, reports, label);
        if (i < trialBootStart) expect(which, `${label}: the update was abandoned`).toBe('new');
        ends[which]++;
        runs++;
      }
    }
    expect(runs).toBe(2 * N);
    const ms = performance.now() - t0;
    console.log(
      `sweep ${profile.name}: N=${N} operations per update (${[...areas].map(([k, v]) => `${k}=${v}`).join(' ')}), ` +
        `${runs} cut runs, ended new=${ends.new} old=${ends.old}, trial boot writes from op ${trialBootStart}, wall ${(ms / 1000).toFixed(2)} s`,
    );
  });
});
