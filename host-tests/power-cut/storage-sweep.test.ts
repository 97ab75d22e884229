/**
 * Exhaustive fault sweep of one storage-level update (MCUboot simulator style, plus torn
 * operations and programs that lie): count the flash operations N of a clean update,
 * bootloader writes included, then replay it cutting power before operation i, tearing
 * operation i, and (for each program) letting program i report success with wrong bits,
 * on both flash profiles: on the ECC one a torn or wrong word raises a read fault. After
 * each cut the commit-word order is checked on the chip's bytes, then the device reboots
 * and carries on.
 */
import { describe, expect, it } from 'vitest';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { makePlan } from '../../sim/storage-plan.js';
import { StorageDevice, prepareChip } from '../../sim/storage-update.js';
import { areaOf, checkSettled, commitOrderViolations, sha } from './sweep-helpers.js';

describe.each(FLASH_PROFILES)('storage update fault sweep on $name', (profile) => {
  it('every cut, clean or torn, ends on the old or the new image; only a cut in the confirmation gives the update up', () => {
    const t0 = performance.now();
    const plan = makePlan(profile, sha);
    // The clean run: count operations and find the confirmation's boot-record write.
    const clean = prepareChip(plan);
    const start = clean.ops;
    clean.log = [];
    const dev0 = new StorageDevice(clean, plan);
    const reports0 = dev0.settle();
    expect(checkSettled(dev0, plan, reports0, 'clean run')).toBe('new');
    expect(reports0.map((r) => r.end)).toEqual(['restart', 'confirmed', 'idle']);
    const N = clean.ops - start;
    const bootWrites = clean.log
      .filter((op) => op.kind === 'erase' && areaOf(dev0, op.offset) === 'boot-record')
      .map((op) => op.index - start);
    // activation, the bootloader's trial-boot count, the confirmation
    expect(bootWrites).toHaveLength(3);
    const confirmAt = bootWrites[2];
    const areas = new Map<string, number>();
    for (const op of clean.log)
      areas.set(`${op.kind}:${areaOf(dev0, op.offset)}`, (areas.get(`${op.kind}:${areaOf(dev0, op.offset)}`) ?? 0) + 1);

    const oldAt: string[] = [];
    const ends = { old: 0, new: 0 };
    for (let i = 0; i < N; i++) {
      for (const torn of [false, true]) {
        const media = prepareChip(plan, 1000 + i);
        media.cutPowerAt(media.ops + i, { torn });
        const dev = new StorageDevice(media, plan);
        const label = `${profile.name} ${torn ? 'torn' : 'clean'} cut at op ${i}/${N}`;
        const reports = dev.settle(20, (boot) => {
          if (boot > 0) expect(commitOrderViolations(media, dev.layout), `${label}, before boot ${boot}`).toEqual([]);
        });
        expect(media.cutFired, label).toBe(true);
        const which = checkSettled(dev, plan, reports, label);
        if (which === 'old') oldAt.push(`${i}${torn ? 't' : 'c'}`);
        ends[which]++;
      }
    }
    // A cut in the confirmation's erase or program leaves the trial record with no boots
    // left: the bootloader reverts. Every other cut ends on the new image.
    expect(oldAt).toEqual([`${confirmAt}c`, `${confirmAt}t`, `${confirmAt + 1}c`, `${confirmAt + 1}t`]);
    const ms = performance.now() - t0;
    console.log(
      `sweep ${profile.name}: N=${N} operations per update (${[...areas].map(([k, v]) => `${k}=${v}`).join(' ')}), ` +
        `${2 * N} cut runs, ended new=${ends.new} old=${ends.old}, confirmation write at op ${confirmAt}, wall ${(ms / 1000).toFixed(2)} s`,
    );
  });

  it('a program that reports success with wrong bits, at any program of the update, still ends on the new image', () => {
    const t0 = performance.now();
    const plan = makePlan(profile, sha);
    const clean = prepareChip(plan);
    const start = clean.ops;
    clean.log = [];
    new StorageDevice(clean, plan).settle();
    const programs = clean.log
      .filter((op) => op.kind === 'program')
      .map((op) => ({ at: op.index - start, area: areaOf(new StorageDevice(clean, plan), op.offset) }));
    const errorsByArea = new Map<string, number>();
    for (const { at, area } of programs) {
      const media = prepareChip(plan, 2000 + at);
      media.log = [];
      media.silentProgramAt(media.ops + at);
      const dev = new StorageDevice(media, plan);
      const label = `${profile.name} wrong bits at program op ${at} (${area})`;
      const reports = dev.settle(20);
      expect(
        media.log.some((op) => op.silent),
        label,
      ).toBe(true);
      expect(checkSettled(dev, plan, reports, label), label).toBe('new');
      // The lie was caught by a read-back: some boot gave up with a typed error, or the writer wrote again within the boot.
      const errors = reports.filter((r) => r.end === 'error').length;
      errorsByArea.set(area, (errorsByArea.get(area) ?? 0) + errors);
    }
    const ms = performance.now() - t0;
    console.log(
      `wrong-bits sweep ${profile.name}: ${programs.length} runs, boots that gave up with a typed error by area ${[...errorsByArea].map(([k, v]) => `${k}=${v}`).join(' ')}, wall ${(ms / 1000).toFixed(2)} s`,
    );
    expect(programs.length).toBeGreaterThan(50);
  });
});
