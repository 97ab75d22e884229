/**
 * The whole update — the real agent, the emulated CH, the real verifier — with the power
 * cut at every flash operation in turn (bootloader writes included), each cut clean and
 * torn, on both flash profiles: the device never bricks, every cut before activation
 * still ends confirmed, and a roll back is reported with the old version.
 *
 * After every cut run the device is power-cycled twice more, and the oracles (`fault`)
 * check what it left: no flash misuse; the boot record confirmed, on the right version,
 * with the rollback floor raised to it (or, rolled back, the old floor and the new image
 * refused); no download progress and no ARMED record left in the journal; and the exact
 * count of each report: one activation outcome per update, whatever the reboots.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../device/ports.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';
import { FLASH_PROFILES, type FlashProfile } from '../../sim/sim-flash.js';
import { traceUpdateWorld, type TracedResult, type WorldOptions } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

function lastActivation(reports: Report[]): Report | undefined {
  return reports.filter((x) => x.kind === 'activation').at(-1);
}

/** What is wrong with one cut run, or undefined. */
function fault(r: TracedResult, beforeActivation: boolean): string | undefined {
  if (r.bricked) return 'bricked';
  if (r.powerCuts !== 1) return `${r.powerCuts} cuts happened`;
  const durable = updateFault(r, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: 1 });
  if (durable) return durable;
  const last = lastActivation(r.reports);
  if (r.outcome === 'confirmed') {
    if (r.runningVersion !== TO_VERSION) return `confirmed but running 0x${r.runningVersion.toString(16)}`;
    if (!(last?.kind === 'activation' && last.success && last.version === TO_VERSION))
      return 'confirmation not reported';
    return undefined;
  }
  if (beforeActivation) return `ended ${r.outcome} though cut before activation`;
  if (r.outcome !== 'rolled-back') return `ended ${r.outcome}`;
  if (!(last?.kind === 'activation' && !last.success && last.version === FROM_VERSION))
    return 'roll back not reported with the old version';
  return undefined;
}

/** Two power cycles of the idle device after each run: a report sent again at every boot shows. */
const AFTER = { reboots: 2 };

function sweep(profile: FlashProfile): void {
  const image = signedImage(56_000, { seed: 11 });
  const options: WorldOptions = {
    image: image.file,
    trustStore: pki().trustStore,
    currentVersion: FROM_VERSION,
    hardwareVersion: HARDWARE_VERSION,
    battery: false,
    loss: 0,
    powerCuts: 0,
    seed: 21,
  };
  const started = performance.now();
  const clean = traceUpdateWorld(options, [], undefined, profile, AFTER);
  expect(clean.outcome).toBe('confirmed');
  expect(
    updateFault(clean, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: 0 }),
  ).toBeUndefined();
  expect(clean.opsAtActivate).toBeDefined();
  const activateAt = clean.opsAtActivate!;
  const n = clean.ops - clean.firstOp;
  // Every operation of the update is a point: evenly spaced at the finest spacing there is.
  const points = Array.from({ length: n }, (_, i) => clean.firstOp + i);
  const tally = { runs: 0, confirmed: 0, rolledBack: 0, beforeActivation: 0 };
  const failures: string[] = [];
  for (const at of points) {
    for (const torn of [false, true]) {
      const r = traceUpdateWorld(options, [{ at, torn }], undefined, profile, AFTER);
      tally.runs++;
      if (at < activateAt) tally.beforeActivation++;
      if (r.outcome === 'confirmed') tally.confirmed++;
      if (r.outcome === 'rolled-back') tally.rolledBack++;
      const f = fault(r, at < activateAt);
      if (f) failures.push(`op ${at - clean.firstOp} ${torn ? 'torn' : 'clean'}: ${f}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `power-cut sweep (${profile.name}): N=${n} flash operations in a clean update (activation at operation ${activateAt - clean.firstOp}), ` +
      `${points.length} points × clean/torn = ${tally.runs} runs; confirmed ${tally.confirmed}, rolled back ${tally.rolledBack}; ${seconds.toFixed(1)} s`,
  );
  expect(failures).toEqual([]);
  expect(points.length).toBeGreaterThanOrEqual(200);
  expect(tally.beforeActivation).toBeGreaterThan(tally.runs / 2);
}

describe('power-cut sweep over the whole update', () => {
  for (const profile of FLASH_PROFILES) {
    it(`${profile.name}: a cut at every flash operation (over 200), clean and torn, never bricks; before activation every run ends confirmed`, () =>
      sweep(profile));
  }
});
