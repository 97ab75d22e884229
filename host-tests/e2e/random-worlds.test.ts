/**
 * Seeded random worlds: image size, battery or mains, loss, number of power cuts, how
 * activation comes and how the new image behaves on its trial, all drawn from one seed.
 * Every run: the asked number of cuts happened, nothing bricked, and the outcome and what
 * the supplier was told agree with the new image's behaviour.
 */
import { describe, expect, it } from 'vitest';
import { traceUpdateWorld } from '../../sim/update-world.js';
import { Rng } from '../../sim/rng.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';

const WORLDS = 120;

describe('random worlds', () => {
  it(`${WORLDS} seeded worlds end as their new image deserves, never bricked, every cut counted`, () => {
    const rng = new Rng(99);
    const images = [
      signedImage(9_000, { seed: 1 }),
      signedImage(40_000, { seed: 2 }),
      signedImage(100_000, { seed: 3 }),
    ];
    const tally: Record<string, number> = {};
    const started = performance.now();
    for (let seed = 1; seed <= WORLDS; seed++) {
      const selfTest = (['pass', 'pass', 'fail', 'crash'] as const)[rng.int(0, 4)];
      const options = {
        image: images[rng.int(0, 3)].file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: rng.chance(0.5),
        loss: rng.next() * 0.4,
        powerCuts: rng.int(0, 61),
        seed,
        activation: rng.chance(0.5) ? ('now' as const) : ('command' as const),
        selfTest,
      };
      const r = traceUpdateWorld(options, []);
      const plain = traceUpdateWorld(options, 'seeded');
      tally[`${selfTest}→${plain.outcome}`] = (tally[`${selfTest}→${plain.outcome}`] ?? 0) + 1;
      expect({ seed, cuts: plain.powerCuts, bricked: plain.bricked }).toEqual({
        seed,
        cuts: options.powerCuts,
        bricked: false,
      });
      expect(selfTest === 'pass' ? ['confirmed', 'rolled-back'] : ['rolled-back']).toContain(plain.outcome);
      // What the flash and the supplier are left with: no misuse, floor, journal, boot record, report counts.
      expect({
        seed,
        fault: updateFault(plain, {
          from: FROM_VERSION,
          to: TO_VERSION,
          newBank: ACTIVE_BANK_AFTER_UPDATE,
          cuts: options.powerCuts,
        }),
      }).toEqual({ seed, fault: undefined });
      // The trace (no cuts) of the same world agrees on what the supplier hears.
      const last = r.reports.filter((x) => x.kind === 'activation').at(-1);
      expect(last).toEqual(
        selfTest === 'pass'
          ? { kind: 'activation', success: true, version: TO_VERSION }
          : { kind: 'activation', success: false, version: FROM_VERSION },
      );
    }
    console.log(`random worlds: ${JSON.stringify(tally)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
