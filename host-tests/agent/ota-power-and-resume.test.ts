/**
 * The battery scenario (wait, download as the cell recovers, pause before browning out,
 * finish), its control (policy off: the device browns out), and power cuts in the middle
 * of a download resuming from the recorded progress.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY, type PowerPolicy } from '../../device/agent/power-policy.js';
import { figures, runUntilFinished, testClient, testImageSpec, RUNNING_VERSION } from '../../sim/download-scenario.js';
import { World } from '../../sim/world.js';
import { HONEST, servedImage } from '../../sim/ota-server.js';
import { CLEAN } from '../../sim/radio-link.js';
import type { BatteryConfig } from '../../sim/sim-battery.js';
import { buildTestImage, TEST_PAYLOAD_OFFSET } from '../../sim/test-image.js';

/** A small cell: one block exchange costs 0.1 %, recharge ~0.01 %/s; a 64 KiB download needs more than a full charge. */
const CELL: BatteryConfig = {
  capacity: 10_000,
  startPercent: 40, // between pause (30) and start (60)
  radioRequest: 10,
  flashProgramPerByte: 0.002,
  flashErase: 8,
  idlePerSecond: 0.05,
  rechargePerSecond: 1,
  warnPercent: 5,
};

function batteryRun(policy: PowerPolicy) {
  const file = buildTestImage(testImageSpec(64 * 1024, 31));
  const world = new World({ currentVersion: RUNNING_VERSION, seed: 31, bankSize: 128 * 1024, battery: CELL });
  world.ch.images.push(servedImage(file));
  let firstBlockAt: number | undefined;
  let minLevelWhileSending = 100;
  const drain = world.link.onDeviceSend!;
  world.link.onDeviceSend = (f) => {
    drain(f);
    minLevelWhileSending = Math.min(minLevelWhileSending, world.battery!.percent());
  };
  world.ch.behaviour = {
    name: 'honest, timed',
    respond(ctx) {
      if (ctx.request.command.name === 'imageBlockRequest' && firstBlockAt === undefined)
        firstBlockAt = world.scheduler.now;
      return HONEST.respond(ctx);
    },
  };
  const device = world.bootDownload({ client: testClient(), policy });
  runUntilFinished(world, () => world.currentDownload, 24 * 3600_000);
  return { ...figures(world, device, file), world, device, firstBlockAt, minLevelWhileSending };
}

describe('battery scenario', () => {
  it('starting between pause and start: waits, downloads as it recovers, pauses before browning out, finishes', () => {
    const r = batteryRun(DEFAULT_POWER_POLICY);
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.bankMatches).toBe(true);
    expect(r.world.battery!.brownOuts).toBe(0);
    // Waited: no block before the cell had recovered from 40 % to the 60 % start level (≥ 2000 units at 0.95/s).
    expect(r.firstBlockAt!).toBeGreaterThan((2000 / 0.95) * 1000);
    // Paused (more than once: the download needs more than one charge) and never went far below the pause level.
    expect(r.device.pauses).toBeGreaterThanOrEqual(2);
    expect(r.minLevelWhileSending).toBeGreaterThan(DEFAULT_POWER_POLICY.pausePercent - 1);
    expect(r.restartsFromZero).toBe(0);
    console.log(
      `battery, policy on: finished after ${(r.virtualMs / 3600_000).toFixed(2)} h virtual, ${r.device.pauses} pauses, lowest level ${r.minLevelWhileSending.toFixed(1)} %, ${r.blockRequests} block requests, first block at ${(r.firstBlockAt! / 1000).toFixed(0)} s`,
    );
  });

  it('control: the same device with the policy switched off (no pacing, no pause) browns out', () => {
    const r = batteryRun({ ...DEFAULT_POWER_POLICY, enabled: false });
    expect(r.world.battery!.brownOuts).toBe(1);
    expect(r.outcome).toBeUndefined();
    expect(r.device.alive).toBe(false);
    expect(r.runningImageIntact).toBe(true);
    console.log(
      `battery, policy off: browned out after ${r.blockRequests} block requests at ${(r.virtualMs / 1000).toFixed(0)} s virtual`,
    );
  });
});

describe('power cut in the middle of a download', () => {
  for (const torn of [false, true]) {
    it(`resumes from the recorded progress after a ${torn ? 'cut tearing a flash program' : 'cut between operations'}, never from 0`, () => {
      const file = buildTestImage(testImageSpec(64 * 1024, 41));
      const world = new World({
        currentVersion: RUNNING_VERSION,
        seed: 41,
        bankSize: 128 * 1024,
        link: { up: { ...CLEAN, loss: 0.05 }, down: { ...CLEAN, loss: 0.05 } },
      });
      world.ch.images.push(servedImage(file));
      const options = { client: testClient(), policy: DEFAULT_POWER_POLICY };
      const first = world.bootDownload(options);
      if (torn) {
        // Tear the flash program that lands about 30 000 bytes in.
        world.scheduler.runUntil(() => first.driver.client.fileOffset >= 30_000);
        world.media.cutPowerAt(world.media.ops + 1, { torn: true });
        world.scheduler.runUntil(() => !first.alive);
      } else {
        world.scheduler.runUntil(() => first.driver.client.fileOffset >= 30_000);
        first.cut('test cut');
      }
      expect(first.alive).toBe(false);
      const offsetAtCut = first.driver.client.fileOffset;
      const recorded = world.progress()!.payloadOffset;
      expect(recorded).toBeGreaterThan(0);
      const blocksBefore = first.driver.client.sent.block;

      world.scheduler.advanceTo(world.scheduler.now + 5_000);
      const second = world.bootDownload(options);
      runUntilFinished(world, () => world.currentDownload, 3600_000);
      const f = figures(world, second, file);
      expect(f.outcome?.kind).toBe('downloaded');
      expect(f.bankMatches).toBe(true);
      expect(f.runningImageIntact).toBe(true);
      expect(f.flashMisuse).toBe(0);
      expect(f.restartsFromZero).toBe(0);
      // Resumed from the record (or the start of its sector when bytes past it were programmed), never from 0.
      const sector = world.media.profile.sectorSize;
      expect(second.driver.client.startOffset).toBeGreaterThanOrEqual(
        TEST_PAYLOAD_OFFSET + Math.floor(recorded / sector) * sector,
      );
      expect(second.driver.client.startOffset).toBeLessThanOrEqual(offsetAtCut);
      // Lost at most the blocks since the last record (one sector's worth) plus the one under way.
      const lostBytes = offsetAtCut - second.driver.client.startOffset;
      expect(lostBytes).toBeLessThanOrEqual(sector + 50);
      expect(world.ch.stats.upgradeEnds).toEqual([0]);
      console.log(
        `power cut (${torn ? 'torn' : 'clean'}): cut at ${offsetAtCut}, resumed at ${second.driver.client.startOffset}, block requests ${blocksBefore} + ${second.driver.client.sent.block}`,
      );
    });
  }

  it('a different image after the reboot restarts cleanly from 0 and lands intact', () => {
    const oldFile = buildTestImage(testImageSpec(20_000, 51));
    const newFile = buildTestImage(testImageSpec(20_000, 52, { fileVersion: 0x102 }));
    const world = new World({ currentVersion: RUNNING_VERSION, seed: 51, bankSize: 64 * 1024 });
    world.ch.images.push(servedImage(oldFile));
    const options = { client: testClient(), policy: DEFAULT_POWER_POLICY };
    const first = world.bootDownload(options);
    world.scheduler.runUntil(() => first.driver.client.fileOffset >= 12_000);
    first.cut();
    expect(world.progress()?.fileVersion).toBe(0x101);
    world.ch.images = [servedImage(newFile)];
    const second = world.bootDownload(options);
    runUntilFinished(world, () => world.currentDownload, 3600_000);
    const f = figures(world, second, newFile);
    expect(f.outcome?.kind).toBe('downloaded');
    expect(second.driver.client.startOffset).toBe(0);
    expect(f.bankMatches).toBe(true);
    expect(f.flashMisuse).toBe(0);
    expect(world.progress()?.fileVersion).toBe(0x102);
  });
});
