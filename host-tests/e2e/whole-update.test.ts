/** A whole update on a battery device: the real agent, the emulated CH, the real verifier, reports checked. */
import { describe, expect, it } from 'vitest';
import { runUpdateWorld, traceUpdateWorld, type WorldEvent } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';

describe('runUpdateWorld: the whole update', () => {
  it('a battery device downloads over a lossy link, verifies, activates, confirms on its trial boot', () => {
    const image = signedImage(40_000, { seed: 3 });
    const events: WorldEvent[] = [];
    const r = runUpdateWorld(
      {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: true,
        loss: 0.1,
        powerCuts: 0,
        seed: 5,
      },
      (e) => events.push(e),
    );
    expect(r).toMatchObject({
      outcome: 'confirmed',
      fromVersion: FROM_VERSION,
      toVersion: TO_VERSION,
      runningVersion: TO_VERSION,
      powerCuts: 0,
      bricked: false,
    });
    expect(r.bytes).toBeGreaterThanOrEqual(image.file.length);
    expect(r.blockRequests).toBeGreaterThanOrEqual(Math.ceil(image.file.length / 50));
    expect(r.retries).toBe(r.blockRequests - Math.ceil(image.file.length / 50));
    expect(r.flashErases).toBeGreaterThan(0);
    expect(r.flashWrites).toBeGreaterThan(0);
    expect(r.journalWrites).toBeGreaterThan(0);
    const phases = events.flatMap((e) => (e.kind === 'phase' ? [e.phase] : []));
    expect(phases.filter((p) => p !== 'download' && p !== 'query' && p !== 'paused' && p !== 'resumed')).toEqual([
      'verify',
      'activate',
      'reboot',
      'trial',
      'confirmed',
    ]);
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(50);
    expect(progress.length).toBeLessThan(400);
    expect(
      progress.every((e) => e.kind === 'progress' && e.battery !== undefined && e.total === image.file.length),
    ).toBe(true);
  });

  it('the supplier sees: firmware version, verification success, activation success with the new version, the new firmware version; ImageUpgradeStatus in order', () => {
    const image = signedImage(24_000, { seed: 9 });
    const r = traceUpdateWorld(
      {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: true,
        loss: 0.02,
        powerCuts: 0,
        seed: 6,
      },
      [],
    );
    expect(r.outcome).toBe('confirmed');
    expect(r.reports.filter((x) => x.kind !== 'upgrade-status')).toEqual([
      { kind: 'firmware-version', version: FROM_VERSION },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
      { kind: 'activation', success: true, version: TO_VERSION },
      { kind: 'firmware-version', version: TO_VERSION },
    ]);
    // normal, downloading, download complete, waiting to upgrade (then upgrade time 0: activated), normal on the new image.
    expect(r.reports.flatMap((x) => (x.kind === 'upgrade-status' ? [x.status] : []))).toEqual([0, 1, 2, 3, 0]);
  });

  it("activation 'command': the CH says wait (0xFFFFFFFF), the supplier's CS06 names the image, the device activates and confirms", () => {
    const image = signedImage(16_000, { seed: 10 });
    const phases: string[] = [];
    const r = runUpdateWorld(
      {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: false,
        loss: 0,
        powerCuts: 0,
        seed: 7,
        activation: 'command',
      },
      (e) => {
        if (e.kind === 'phase') phases.push(e.phase);
      },
    );
    expect(r).toMatchObject({ outcome: 'confirmed', runningVersion: TO_VERSION, bricked: false });
    expect(phases.slice(phases.indexOf('verify'))).toEqual([
      'verify',
      'activate',
      'reboot',
      'trial',
      'query',
      'confirmed',
    ]);
  });

  it('over a link losing 40 % each way the client gives up and queries again many times, yet no sector is written twice', () => {
    const payload = 64_000;
    const image = signedImage(payload, { seed: 12 });
    const r = traceUpdateWorld(
      {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: true,
        loss: 0.4,
        powerCuts: 0,
        seed: 3,
      },
      [],
    );
    expect(r).toMatchObject({ outcome: 'confirmed', runningVersion: TO_VERSION, bricked: false });
    expect(r.retries).toBeGreaterThan(r.blockRequests / 2);
    const bank = r.layout.banks[1];
    const sectorsOf = (first: number, n: number) => r.sectorErases.slice(first, first + n);
    // Every sector the payload occupies erased exactly once, the rest of the bank never: the many
    // re-queries went on from RAM or the journal, never over a sector again.
    const payloadSectors = Math.ceil(payload / r.layout.sectorSize);
    expect(sectorsOf(bank.firstSector, payloadSectors)).toEqual(Array(payloadSectors).fill(1));
    expect(sectorsOf(bank.firstSector + payloadSectors, bank.sectorCount - payloadSectors)).toEqual(
      Array(bank.sectorCount - payloadSectors).fill(0),
    );
    // The metadata record's sectors: erased only when they do not read erased (a fresh chip's do), and never twice.
    expect(sectorsOf(bank.metaFirstSector, bank.metaSectorCount).every((n) => n <= 1)).toBe(true);
    // A program onto bytes not erased since would be misuse: with one erase each, no byte was written twice.
    expect(r.misuse).toEqual([]);
    // The running bank was never touched.
    const running = r.layout.banks[0];
    expect(sectorsOf(running.firstSector, running.sectorCount).every((n) => n === 0)).toBe(true);
    expect(sectorsOf(running.metaFirstSector, running.metaSectorCount).every((n) => n === 0)).toBe(true);
  });
});

describe('what a finished update leaves', () => {
  it('three power cycles after the confirmation: activation success still reported once, one firmware version per boot, the old image kept as the fallback, journal clean', () => {
    const image = signedImage(16_000, { seed: 13 });
    const r = traceUpdateWorld(
      {
        image: image.file,
        trustStore: pki().trustStore,
        currentVersion: FROM_VERSION,
        hardwareVersion: HARDWARE_VERSION,
        battery: false,
        loss: 0,
        powerCuts: 0,
        seed: 8,
      },
      [],
      undefined,
      undefined,
      { reboots: 3 },
    );
    expect(r.outcome).toBe('confirmed');
    expect(r.reports.filter((x) => x.kind === 'activation')).toEqual([
      { kind: 'activation', success: true, version: TO_VERSION },
    ]);
    // The old image's boot, the trial boot, three power cycles.
    expect(r.reports.filter((x) => x.kind === 'firmware-version')).toEqual(
      [FROM_VERSION, TO_VERSION, TO_VERSION, TO_VERSION, TO_VERSION].map((version) => ({
        kind: 'firmware-version',
        version,
      })),
    );
    // The floor is the fallback's version until the next download releases the fallback (docs/BOOT.md).
    expect(r.final).toEqual({
      record: expect.objectContaining({
        state: 'confirmed',
        floor: FROM_VERSION,
        confirmed: expect.objectContaining({ version: TO_VERSION, bank: 1 }),
        fallback: expect.objectContaining({ version: FROM_VERSION, bank: 0 }),
      }),
      progress: false,
      armed: false,
    });
    expect(
      updateFault(r, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: 0 }),
    ).toBeUndefined();
  });
});

describe('runUpdateWorld: runs that do not update', () => {
  it('an image no newer than the running one is never offered: failed, not bricked, and every power cut asked for still happens', () => {
    const image = signedImage(8_000, { seed: 12, version: FROM_VERSION });
    const r = runUpdateWorld({
      image: image.file,
      trustStore: pki().trustStore,
      currentVersion: FROM_VERSION,
      hardwareVersion: HARDWARE_VERSION,
      battery: true,
      loss: 0.1,
      powerCuts: 3,
      seed: 3,
    });
    expect(r).toMatchObject({
      outcome: 'failed',
      runningVersion: FROM_VERSION,
      bytes: 0,
      powerCuts: 3,
      bricked: false,
      flashErases: 0,
    });
  });

  it('an image for other hardware is refused before any erase, with every power cut asked for', () => {
    const image = signedImage(8_000, { seed: 12, spec: { minHardwareVersion: 9, maxHardwareVersion: 9 } });
    const r = runUpdateWorld({
      image: image.file,
      trustStore: pki().trustStore,
      currentVersion: FROM_VERSION,
      hardwareVersion: HARDWARE_VERSION,
      battery: true,
      loss: 0.1,
      powerCuts: 3,
      seed: 3,
    });
    expect(r).toMatchObject({
      outcome: 'refused',
      runningVersion: FROM_VERSION,
      powerCuts: 3,
      bricked: false,
      flashErases: 0,
      flashWrites: 0,
    });
  });
});
