import { it } from 'vitest';
import { runUpdateWorld } from '../harness/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage } from './e2e-fixture.js';
it('t', () => {
  const images = [signedImage(9_000, { seed: 1 }), signedImage(40_000, { seed: 2 })];
  const runs = [{ image: images[0].file, battery: true, loss: 0.2965579292736948, powerCuts: 36, seed: 17, activation: 'command' as const, selfTest: 'fail' as const }, { image: images[1].file, battery: false, loss: 0.00016884114593267442, powerCuts: 55, seed: 75, activation: 'now' as const, selfTest: 'fail' as const }];
  for (const o of runs.slice(Number(process.env.K ?? 0), Number(process.env.K ?? 0) + 1)) {
    const r = runUpdateWorld({ ...o, trustStore: pki().trustStore, currentVersion: FROM_VERSION, hardwareVersion: HARDWARE_VERSION }, (e) => { if (e.kind === 'phase' && e.phase !== 'query' && e.phase !== 'download') console.log(e.t.toFixed(0), e.phase, e.detail ?? ''); });
    console.log(JSON.stringify(r));
  }
});
