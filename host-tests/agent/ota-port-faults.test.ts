/**
 * Port calls that fail (ports.ts: any call may throw) without a power cut: the download
 * still ends well, and nothing untyped escapes the client.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { figures, testClient, testImageSpec, RUNNING_VERSION } from '../../sim/download-scenario.js';
import type { PortFaults } from '../../sim/instance-ports.js';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { buildTestImage } from '../../sim/test-image.js';

function faulty(faults: PortFaults, seed: number) {
  const file = buildTestImage(testImageSpec(20_000, seed));
  const world = new World({ currentVersion: RUNNING_VERSION, seed, bankSize: 64 * 1024 });
  world.ch.images.push(servedImage(file));
  const device = world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY, faults });
  world.scheduler.runUntil(() => device.driver.outcome?.kind === 'downloaded' || world.scheduler.now > 24 * 3600_000);
  world.scheduler.advanceTo(world.scheduler.now + 1_000);
  return { ...figures(world, device, file), world, device, outcomes: device.outcomes };
}

describe('failing ports', () => {
  it('sends refused by the stack 10 % of the time: lost frames, retried, finished', () => {
    const r = faulty({ sendFailure: 0.1 }, 61);
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.bankMatches).toBe(true);
    expect(r.device.driver.recentErrors).toContain('TRANSPORT_SEND_FAILED');
    expect(r.restartsFromZero).toBe(0);
  });

  it('a reporter that always throws: reports dropped, download finished, the status attribute still current', () => {
    const r = faulty({ reporterThrows: true }, 62);
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.device.reports).toEqual([]);
    expect(r.device.driver.client.attributes.imageUpgradeStatus).toBe(6);
  });

  it('a power gauge failing 5 % of reads: read as a brown-out warning (pause, persist), then finished', () => {
    const r = faulty({ powerReadFailure: 0.05 }, 63);
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.bankMatches).toBe(true);
    expect(r.device.driver.recentErrors).toContain('POWER_READ_FAILED');
    expect(r.device.pauses).toBeGreaterThan(0);
  });

  it('a flash program failing mid-download: the download is aborted (ABORT), and the next offer resumes from the journal to the end', () => {
    const r = faulty({ flashProgramFailsAt: 20 }, 64);
    expect(r.outcomes[0]).toBe('STORAGE_FLASH_WRITE');
    expect(r.world.ch.stats.upgradeEnds).toEqual([0x95, 0]);
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.bankMatches).toBe(true);
    expect(r.device.sink.resumedAt).toBeGreaterThan(0);
    expect(r.restartsFromZero).toBe(0);
  });
});
