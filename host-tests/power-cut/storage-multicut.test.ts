/** Random multi-cut updates: 3–5 cuts (clean or torn) per update, 200 seeds per flash profile. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.js';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { makePlan } from '../../sim/storage-plan.js';
import { StorageDevice, prepareChip } from '../../sim/storage-update.js';
import { checkSettled, sha } from './sweep-helpers.js';

const SEEDS = 200;

describe.each(FLASH_PROFILES)('storage update with random multiple cuts on $name', (profile) => {
  it(`${SEEDS} seeds, each update cut 3 to 5 times, end on the old or the new image`, () => {
    const t0 = performance.now();
    const plan = makePlan(profile, sha);
    const histogram = new Map<number, number>();
    const ends = { old: 0, new: 0 };
    let boots = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = new Rng(seed);
      const planned = rng.int(3, 6);
      const media = prepareChip(plan, seed);
      const dev = new StorageDevice(media, plan);
      let armed = 0;
      let fired = 0;
      const reports = dev.settle(30, () => {
        if (armed > fired && media.cutFired) fired++;
        if (armed === fired && armed < planned) {
          // Each cut lands within the next 60 operations, so all of them usually fire before the update is done.
          media.cutPowerAt(media.ops + rng.int(0, 60), { torn: rng.chance(0.5) });
          armed++;
        }
      });
      if (armed > fired && media.cutFired) fired++;
      media.disarm();
      const label = `${profile.name} seed ${seed} (${fired} of ${planned} cuts)`;
      const which = checkSettled(dev, plan, reports, label);
      ends[which]++;
      boots += reports.length;
      histogram.set(fired, (histogram.get(fired) ?? 0) + 1);
    }
    const ms = performance.now() - t0;
    const withThreeOrMore = [...histogram].filter(([k]) => k >= 3).reduce((a, [, v]) => a + v, 0);
    console.log(
      `multi-cut ${profile.name}: ${SEEDS} seeds, cuts fired per update ${[...histogram]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k}:${v}`)
        .join(' ')}, ` + `${boots} boots, ended new=${ends.new} old=${ends.old}, wall ${(ms / 1000).toFixed(2)} s`,
    );
    // A cut that lands in the trial boot ends the update early (on the old image), so a
    // few runs see fewer cuts than planned; most must see at least three.
    expect(withThreeOrMore).toBeGreaterThanOrEqual(SEEDS * 0.9);
  });
});
