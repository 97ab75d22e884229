/**
 * Failures that may pass, bounded (device/agent/retry-policy.ts), in the whole emulated
 * device: a worn sector ends in one report and a fixed number of attempts; an empty
 * payload is refused before any erase; bytes that missed an authentic manifest (a server
 * mixing up its files) are fetched again, backed off and bounded, while a genuinely bad
 * image stays refused for the boot.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../device/agent/retry-policy.js';
import { World } from '../../sim/world.js';
import type { WornSectorMode } from '../../sim/faulty-ports.js';
import { Hostile } from '../../sim/hostile-server.js';
import { servedImage, type ServedImage } from '../../sim/ota-server.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

const HOUR = 3600_000;
const PAYLOAD = 12_000;

function world(image: ServedImage, seed: number, faults?: ConstructorParameters<typeof World>[0]['faults']): World {
  const w = new World({
    seed,
    trust: pki().trustStore,
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 64 * 1024,
    server: { upgradeTime: 0 },
    faults,
  });
  w.ch.images.push(image);
  return w;
}

const alerts = (w: World) => w.reportsOf('verification').filter((r) => r.alertCode === 0x8f1c);
const confirmed = (w: World) =>
  w.bootRecord()?.confirmed.version === TO_VERSION && w.current?.agent.ctx.state === 'idle';

/** The factory image in bank 0, byte for byte, as the world provisioned it. */
function bank0(w: World): Uint8Array {
  return w.media.peek(w.layout.banks[0].offset, 8192);
}

/** Runs the world for `ms` of virtual time (rebooting a dead instance, as `run` does). */
function runFor(w: World, ms: number): void {
  const until = w.scheduler.now + ms;
  w.run(() => w.scheduler.now >= until, 3_000_000);
}

describe('a worn sector of the inactive bank', () => {
  for (const [mode, code] of [
    ['erase-fails', 'STORAGE_FLASH_ERASE'],
    ['stuck-bit', 'STORAGE_VERIFY_MISMATCH'],
  ] as [WornSectorMode, string][]) {
    it(`${mode}: ${DEFAULT_RETRY_POLICY.localAttempts} attempts, one 0x8F1C ${code}, then no more erases for a day; the running image untouched`, () => {
      const probe = world(servedImage(signedImage(PAYLOAD, { seed: 8 }).file), 51);
      const sector = probe.layout.banks[1].firstSector + 1;
      const w = world(servedImage(signedImage(PAYLOAD, { seed: 8 }).file), 51, { wornSector: { sector, mode } });
      const before = bank0(w);
      expect(w.run(() => alerts(w).length > 0, 3_000_000)).toBe(true);
      expect(alerts(w)).toEqual([{ kind: 'verification', alertCode: 0x8f1c, errorCode: code }]);
      // erase-fails: every attempt stops at the failed erase. stuck-bit: the first attempt erases it and fails the
      // read-back; each resume finds it not erased, erases it again and fails the same way.
      expect(w.wornSectorErases).toBe(DEFAULT_RETRY_POLICY.localAttempts);
      const requests = w.blockRequests();
      runFor(w, 24 * HOUR);
      expect(w.wornSectorErases).toBe(DEFAULT_RETRY_POLICY.localAttempts);
      expect(w.blockRequests()).toBe(requests);
      expect(alerts(w)).toHaveLength(1);
      expect(w.boots).toBe(1);
      expect(w.current!.agent.ctx.state).toBe('idle');
      expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { version: FROM_VERSION, bank: 0 } });
      expect(bank0(w)).toEqual(before);
      expect(w.media.misuse).toEqual([]);
    });
  }

  it('a reboot tries the image again, within the same bound, and reports again', () => {
    const probe = world(servedImage(signedImage(PAYLOAD, { seed: 8 }).file), 52);
    const sector = probe.layout.banks[1].firstSector + 2;
    const w = world(servedImage(signedImage(PAYLOAD, { seed: 8 }).file), 52, {
      wornSector: { sector, mode: 'erase-fails' },
    });
    expect(w.run(() => alerts(w).length > 0, 3_000_000)).toBe(true);
    w.current!.cut();
    expect(w.run(() => alerts(w).length > 1, 3_000_000)).toBe(true);
    expect(w.wornSectorErases).toBe(2 * DEFAULT_RETRY_POLICY.localAttempts);
    expect(alerts(w).map((a) => a.errorCode)).toEqual(['STORAGE_FLASH_ERASE', 'STORAGE_FLASH_ERASE']);
    expect(w.media.misuse).toEqual([]);
  });

  it('flash programs failing now and then (3 %) are not a worn part: failures at other places restart the count, and the update confirms', () => {
    const w = world(servedImage(signedImage(2 * PAYLOAD, { seed: 8 }).file), 9, { flashProgramFailure: 0.03 });
    expect(w.run(() => confirmed(w), 3_000_000)).toBe(true);
    expect(w.injectedFaults).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.localAttempts + 2);
    expect(alerts(w)).toEqual([]);
    expect(w.media.misuse).toEqual([]);
  });
});

describe('an empty payload', () => {
  it('is refused IMG_PAYLOAD_EMPTY before any erase or program, reported once, and not fetched again this boot', () => {
    const w = world(servedImage(signedImage(0, { seed: 8 }).file), 53);
    const erases = w.erases();
    const programs = w.programs();
    expect(w.run(() => alerts(w).length > 0, 3_000_000)).toBe(true);
    expect(alerts(w)).toEqual([{ kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_PAYLOAD_EMPTY' }]);
    const requests = w.blockRequests();
    runFor(w, 6 * HOUR);
    expect(w.blockRequests()).toBe(requests);
    expect(alerts(w)).toHaveLength(1);
    expect(w.erases()).toBe(erases);
    expect(w.programs()).toBe(programs);
    expect(w.media.misuse).toEqual([]);
  });
});

describe('bytes that do not match an authentic manifest (a server mixing up its files)', () => {
  const genuine = signedImage(PAYLOAD, { seed: 8 });
  // Another image of the same shape: same IDs and lengths, another payload.
  const foreign = signedImage(PAYLOAD, { seed: 99 });
  const payloadStart = genuine.file.length - PAYLOAD - 66;

  it('served once, then the genuine image: fetched again from the start after a back-off, confirmed without a power cycle', () => {
    const w = world(servedImage(genuine.file), 54);
    w.ch.behaviour = Hostile.mixedUpFiles(servedImage(foreign.file), payloadStart, 1);
    const phases: { t: number; phase: string }[] = [];
    w.onPhase = (phase) => phases.push({ t: w.scheduler.now, phase });
    expect(w.run(() => confirmed(w), 3_000_000)).toBe(true);
    expect(w.reportsOf('verification')).toEqual([
      { kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_PAYLOAD_DIGEST' },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
    ]);
    expect(w.reportsOf('activation')).toEqual([{ kind: 'activation', success: true, version: TO_VERSION }]);
    // Boot 1 ran until activation (the trial's restart), boot 2 is the trial: no power cycle in between.
    expect(w.boots).toBe(2);
    // The second download started from offset 0, at least the back-off after the refusal.
    expect(w.ch.stats.restartsFromZero).toBe(1);
    const refusedAt = phases.find((p) => p.phase === 'refused')!.t;
    const again = phases.filter((p) => p.phase === 'download' && p.t > refusedAt);
    expect(again.length).toBeGreaterThan(0);
    expect(again[0].t - refusedAt).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.backoffBaseMs);
    expect(w.media.misuse).toEqual([]);
  });

  it(`served every time: ${DEFAULT_RETRY_POLICY.transferAttempts} downloads, each reported, spaced by a doubling back-off, then refused for the boot`, () => {
    const w = world(servedImage(genuine.file), 55);
    w.ch.behaviour = Hostile.mixedUpFiles(servedImage(foreign.file), payloadStart, 1000);
    const starts: number[] = [];
    w.onPhase = (phase) => {
      if (phase === 'download') starts.push(w.scheduler.now);
    };
    runFor(w, 24 * HOUR);
    expect(alerts(w).map((a) => a.errorCode)).toEqual(
      Array(DEFAULT_RETRY_POLICY.transferAttempts).fill('IMG_PAYLOAD_DIGEST'),
    );
    expect(starts).toHaveLength(DEFAULT_RETRY_POLICY.transferAttempts);
    for (let i = 1; i < starts.length; i++)
      expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.backoffBaseMs * 2 ** (i - 1));
    expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { version: FROM_VERSION } });
    expect(w.boots).toBe(1);
  });

  it('a genuinely bad image (a supplier signature no cell knows) is still refused for the boot: one download, one report', () => {
    const w = world(servedImage(signedImage(PAYLOAD, { seed: 8, supplier: 'stranger' }).file), 56);
    const starts: number[] = [];
    w.onPhase = (phase) => {
      if (phase === 'download') starts.push(w.scheduler.now);
    };
    runFor(w, 24 * HOUR);
    expect(alerts(w)).toEqual([{ kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_SUPPLIER_SIGNATURE' }]);
    expect(starts).toHaveLength(1);
    expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { version: FROM_VERSION } });
  });
});
