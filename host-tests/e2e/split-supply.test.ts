/** Split supply: either Supplier cell may authorise an update; a third supplier's image is refused and reported. */
import { describe, expect, it } from 'vitest';
import { traceUpdateWorld } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION, type SupplierKey } from './e2e-fixture.js';

function update(supplier: SupplierKey) {
  const image = signedImage(12_000, { seed: 6, supplier });
  return traceUpdateWorld(
    {
      image: image.file,
      trustStore: pki().trustStore,
      currentVersion: FROM_VERSION,
      hardwareVersion: HARDWARE_VERSION,
      battery: false,
      loss: 0.05,
      powerCuts: 0,
      seed: 13,
    },
    [],
  );
}

describe('split supply', () => {
  for (const supplier of ['supplier1', 'supplier2'] as const) {
    it(`an image signed by ${supplier} is accepted, activated and confirmed`, () => {
      const r = update(supplier);
      expect(r).toMatchObject({ outcome: 'confirmed', runningVersion: TO_VERSION, bricked: false });
      expect(r.reports).toContainEqual({ kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' });
      expect(r.reports.filter((x) => x.kind === 'activation')).toEqual([
        { kind: 'activation', success: true, version: TO_VERSION },
      ]);
    });
  }

  it('an image signed by a supplier in neither cell is refused at its trailer, reported, never activated', () => {
    const r = update('stranger');
    expect(r).toMatchObject({ outcome: 'refused', runningVersion: FROM_VERSION, bricked: false });
    expect(r.reports).toContainEqual({ kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_SUPPLIER_SIGNATURE' });
    expect(r.reports.some((x) => x.kind === 'verification' && x.alertCode === 0x8f72)).toBe(false);
    expect(r.reports.some((x) => x.kind === 'activation')).toBe(false);
    expect(r.opsAtActivate).toBeUndefined();
  });
});
