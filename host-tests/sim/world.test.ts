/**
 * The one emulated world (sim/world.ts): what the production line hands over, the same
 * chip from the same seed, and both kinds of instance over one composed world.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { createTrustStore } from '../../device/pki/trust-store.js';
import { RUNNING_VERSION, testClient } from '../../sim/download-scenario.js';
import { PowerRail } from '../../sim/power-rail.js';
import { World } from '../../sim/world.js';
import { bootloader } from '../../sim/world-parts.js';
import { pki } from '../e2e/e2e-fixture.js';

describe('World', () => {
  it('hands over a provisioned chip: the factory image confirmed in bank 0, a formatted journal, the operation count at 0', () => {
    const w = new World({ seed: 3, bankSize: 64 * 1024, currentVersion: RUNNING_VERSION, factoryBytes: 10_000 });
    const record = w.bootRecord();
    expect(record?.state).toBe('confirmed');
    expect(record?.confirmed).toMatchObject({ bank: 0, version: RUNNING_VERSION, length: 10_000 });
    expect(record?.floor).toBe(RUNNING_VERSION);
    expect(w.media.ops).toBe(0);
    expect(w.baseline.ops).toBe(0);
    expect(w.progress()).toBeUndefined();
    expect(w.runningImageIntact()).toBe(true);
    expect(bootloader(w.chipCopy().attach(new PowerRail()), w.layout).boot()).toMatchObject({
      kind: 'boot',
      bank: 0,
      trial: false,
    });
  });

  it('is the same chip from the same seed, and another from another seed', () => {
    const make = (seed: number) => new World({ seed, bankSize: 32 * 1024, currentVersion: RUNNING_VERSION });
    const a = make(11).media.bytes;
    expect(make(11).media.bytes).toEqual(a);
    expect(make(12).media.bytes).not.toEqual(a);
  });

  it('runs a download-only instance and the agent over the same composed world', () => {
    const w = new World({
      seed: 4,
      bankSize: 32 * 1024,
      currentVersion: RUNNING_VERSION,
      trust: createTrustStore(pki().manufacturerRoot.der, { supplier1: pki().supplier1.der }),
      manufacturerCode: 0x1234,
      imageType: 0x0001,
      hardwareVersion: 0x0011,
    });
    const download = w.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
    expect(w.currentDownload).toBe(download);
    expect(download.boot.runningBank()).toBe(0);
    download.cut();
    const agent = w.boot();
    expect(agent?.bank).toBe(0);
    expect(agent?.trial).toBe(false);
    expect(w.boots).toBe(2);
    expect(w.bootOutcomes).toEqual([expect.objectContaining({ kind: 'boot', bank: 0 })]);
  });

  it('refuses to boot the agent without its build constants', () => {
    const w = new World({ seed: 5, bankSize: 32 * 1024, currentVersion: RUNNING_VERSION });
    expect(() => w.boot()).toThrow(TypeError);
  });
});
