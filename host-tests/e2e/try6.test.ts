import { it } from 'vitest';
import { runUpdateWorld } from '../harness/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage } from './e2e-fixture.js';
it('t', () => {
  const image = signedImage(200_000, { seed: 12 });
  const r = runUpdateWorld({ image: image.file, trustStore: pki().trustStore, currentVersion: FROM_VERSION, hardwareVersion: HARDWARE_VERSION, battery: true, loss: 0.3, powerCuts: 10, seed: 3 }, (e) => { if (e.kind === 'phase') console.log(JSON.stringify(e)); });
  console.log(JSON.stringify(r));
});
