/**
 * The whole update — the real agent, the emulated CH, the real verifier — with the power
 * cut at evenly spaced flash operations (bootloader writes included), each cut clean and
 * torn: the device never bricks, and every cut before activation still ends confirmed.
 */
import { describe, expect, it } from 'vitest';
import { traceUpdateWorld, type WorldOptions } from '../harness/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';


describe('power-cut sweep over the whole update', () => {
  it('a cut at every flash operation of the update (over 200), clean and torn, never brick; before activation they all end confirmed', () => {
    const image = signedImage(56_000, { seed: 11 });
    const options: WorldOptions = { image: image.file, trustStore: pki().trustStore, currentVersion: FROM_VERSION, hardwareVersion: HARDWARE_VERSION, battery: false, loss: 0, powerCuts: 0, seed: 21 };
    const started = performance.now();
    const clean = traceUpdateWorld(options, []);
    expect(clean.outcome).toBe('confirmed');
    expect(clean.opsAtActivate).toBeDefined();
    const n = clean.ops - clean.firstOp;
    // Every operation of the update is a point: the spacing is 1, the even spread at its finest.
    const points = Array.from({ length: n }, (_, i) => clean.firstOp + i);
    const tally = { runs: 0, confirmed: 0, rolledBack: 0, beforeActivation: 0 };
    const failures: string[] = [];
    for (const at of points) {
      for (const torn of [false, true]) {
        const r = traceUpdateWorld(options, [{ at, torn }]);
        tally.runs++;
        const before = at < clean.opsAtActivate!;
        if (before) tally.beforeActivation++;
        if (r.outcome === 'confirmed') tally.confirmed++;
        if (r.outcome === 'rolled-back') tally.rolledBack++;
        const ok = !r.bricked && r.powerCuts === 1 && (before ? r.outcome === 'confirmed' && r.runningVersion === TO_VERSION : r.outcome === 'confirmed' || r.outcome === 'rolled-back');
        if (!ok) failures.push(`op ${at} ${torn ? 'torn' : 'clean'}: ${r.outcome} bricked=${r.bricked} cuts=${r.powerCuts} running=0x${r.runningVersion.toString(16)}`);
      }
    }
    const ms = performance.now() - started;
    console.log(`power-cut sweep: N=${n} flash operations in a clean update (activation at operation ${clean.opsAtActivate! - clean.firstOp}), ${points.length} points × clean/torn = ${tally.runs} runs; confirmed ${tally.confirmed}, rolled back ${tally.rolledBack}; ${(ms / 1000).toFixed(1)} s`);
    expect(failures).toEqual([]);
    expect(points.length).toBeGreaterThanOrEqual(200);
    expect(tally.beforeActivation).toBeGreaterThan(tally.runs / 2);
  });
});
