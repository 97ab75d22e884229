/** A new image that fails its self-test, or crashes before confirming, is rolled back; the failure alert carries the old version. */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../device/ports.js';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { traceUpdateWorld, type WorldEvent } from '../../sim/update-world.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

const activations = (reports: Report[]) => reports.filter((r) => r.kind === 'activation');
const versions = (reports: Report[]) => reports.flatMap((r) => (r.kind === 'firmware-version' ? [r.version] : []));

describe('trial boot that does not confirm', () => {
  for (const selfTest of ['fail', 'crash'] as const) {
    it(`a new image whose self-test ${selfTest === 'fail' ? 'fails' : 'crashes the device'} is rolled back and reported with the old version (CS09 failure, CS08 old version)`, () => {
      const image = signedImage(20_000, { seed: 4 });
      const events: WorldEvent[] = [];
      const r = traceUpdateWorld(
        {
          image: image.file,
          trustStore: pki().trustStore,
          currentVersion: FROM_VERSION,
          hardwareVersion: HARDWARE_VERSION,
          battery: true,
          loss: 0.05,
          powerCuts: 0,
          seed: 8,
          selfTest,
        },
        [],
        (e) => events.push(e),
      );
      expect(r).toMatchObject({
        outcome: 'rolled-back',
        runningVersion: FROM_VERSION,
        toVersion: TO_VERSION,
        bricked: false,
        powerCuts: 0,
      });
      // The only activation alert is the failure, carrying the version still running.
      expect(activations(r.reports)).toEqual([{ kind: 'activation', success: false, version: FROM_VERSION }]);
      // Firmware version read-outs: the old one at first boot, the new one never confirmed, the old one again after the revert.
      expect(versions(r.reports)).toEqual([FROM_VERSION, FROM_VERSION]);
      expect(r.reports.some((x) => x.kind === 'verification' && x.alertCode === 0x8f72)).toBe(true);
      const phases = events.flatMap((e) => (e.kind === 'phase' ? [e.phase] : []));
      expect(phases).toContain('trial');
      expect(phases.lastIndexOf('rolled-back')).toBeGreaterThan(phases.indexOf('trial'));
      expect(phases).not.toContain('confirmed');
    });
  }

  it('the reverted image is refused when the CH offers it again, before any erase, and reported (0x8F1C BOOT_IMAGE_REFUSED)', () => {
    const image = signedImage(20_000, { seed: 4 });
    const world = new World({
      seed: 9,
      trust: pki().trustStore,
      ...E2E_IDS,
      hardwareVersion: HARDWARE_VERSION,
      currentVersion: FROM_VERSION,
      bankSize: 64 * 1024,
      server: { upgradeTime: 0 },
    });
    world.ch.images.push(servedImage(image.file));
    world.trialBehaviour = (v) => (v === TO_VERSION ? 'fail' : 'pass');
    expect(world.run(() => world.reportsOf('activation').length > 0)).toBe(true);
    expect(world.reportsOf('activation')).toEqual([{ kind: 'activation', success: false, version: FROM_VERSION }]);
    const erasesAfterRevert = world.erases();
    const refused = () => world.reportsOf('verification').find((r) => r.alertCode === 0x8f1c);
    // The next periodic query offers the same image: its manifest verifies, the boot record refuses it.
    expect(world.run(() => refused() !== undefined)).toBe(true);
    expect(refused()).toEqual({ kind: 'verification', alertCode: 0x8f1c, errorCode: 'BOOT_IMAGE_REFUSED' });
    expect(world.erases()).toBe(erasesAfterRevert);
    expect(world.bootRecord()?.confirmed.version).toBe(FROM_VERSION);
  });
});

describe('roll back under power cuts', () => {
  it('a cut at any flash operation from activation on, with a failing new image: always rolled back, and the failure always reported with the old version', () => {
    const image = signedImage(12_000, { seed: 5 });
    const options = {
      image: image.file,
      trustStore: pki().trustStore,
      currentVersion: FROM_VERSION,
      hardwareVersion: HARDWARE_VERSION,
      battery: false,
      loss: 0,
      powerCuts: 0,
      seed: 10,
      selfTest: 'fail' as const,
    };
    const clean = traceUpdateWorld(options, []);
    expect(clean.outcome).toBe('rolled-back');
    let runs = 0;
    for (let at = clean.opsAtActivate!; at < clean.ops; at++) {
      for (const torn of [false, true]) {
        const r = traceUpdateWorld(options, [{ at, torn }]);
        runs++;
        expect({ at, torn, outcome: r.outcome, bricked: r.bricked }).toEqual({
          at,
          torn,
          outcome: 'rolled-back',
          bricked: false,
        });
        expect(activations(r.reports).at(-1)).toEqual({ kind: 'activation', success: false, version: FROM_VERSION });
      }
    }
    expect(runs).toBeGreaterThanOrEqual(20);
  });
});
