/** runUpdateWorld's spread of 50 power cuts over 20 seeds: never bricked; confirmed or a clean roll back; the sweep oracles hold. */
import { describe, expect, it } from 'vitest';
import { traceUpdateWorld } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';

const SEEDS = 20;
const CUTS = 50;

describe(`runUpdateWorld with ${CUTS} power cuts`, () => {
  it(`over ${SEEDS} seeds (battery, 5 % loss each way): every cut happens, nothing bricks, each run ends confirmed or cleanly rolled back`, () => {
    const image = signedImage(64_000, { seed: 12 });
    const started = performance.now();
    const outcomes: Record<string, number> = {};
    let duringUpdate = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      let ended = false;
      const options = {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: true,
        loss: 0.05,
        powerCuts: CUTS,
        seed,
      };
      const r = traceUpdateWorld(options, 'seeded', (e) => {
        if (e.kind !== 'phase') return;
        if (e.phase === 'confirmed' || e.phase === 'rolled-back') ended = true;
        if (e.phase === 'power-cut' && !ended) duringUpdate++;
      });
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      expect({ seed, powerCuts: r.powerCuts, bricked: r.bricked }).toEqual({ seed, powerCuts: CUTS, bricked: false });
      expect(['confirmed', 'rolled-back']).toContain(r.outcome);
      // A clean roll back: the old version runs; a confirmation: the new one.
      expect(r.runningVersion).toBe(r.outcome === 'confirmed' ? TO_VERSION : FROM_VERSION);
      // What the flash and the supplier are left with: no misuse, floor, journal, boot record, report counts.
      expect({
        seed,
        fault: updateFault(r, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: CUTS }),
      }).toEqual({ seed, fault: undefined });
    }
    // The cuts fall on the update itself (download, resume, activation, trial), not on an idle device afterwards.
    expect(duringUpdate).toBeGreaterThan(0.9 * CUTS * SEEDS);
    console.log(
      `${CUTS} power cuts × ${SEEDS} seeds: ${JSON.stringify(outcomes)}, ${duringUpdate} of ${CUTS * SEEDS} cuts before the outcome, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
