/**
 * Activation as a PPMID does it: an explicit CS06 command names the Manufacturer Image
 * Hash (wrong hash refused, nothing held refused, right hash accepted), an unsolicited
 * Upgrade End Response counts, and a battery below the activation level defers it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { encodeOtaFrame } from '../../device/zigbee/ota-frames.js';
import { UPGRADE_TIME_WAIT_FOR_COMMAND } from '../../device/zigbee/ota-constants.js';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { DEFAULT_BATTERY } from '../../sim/sim-battery.js';
import { manufacturerImageHash } from '../../sim/update-world.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

function heldWorld(options: { battery?: boolean; seed?: number } = {}) {
  const image = signedImage(16_000, { seed: 7 });
  const world = new World({
    seed: options.seed ?? 17,
    trust: pki().trustStore,
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 64 * 1024,
    battery: options.battery ? DEFAULT_BATTERY : undefined,
    server: { upgradeTime: UPGRADE_TIME_WAIT_FOR_COMMAND },
  });
  world.ch.images.push(servedImage(image.file));
  return { world, image, hash: manufacturerImageHash(image.file) };
}

const confirmed = (w: World) =>
  w.reportsOf('activation').some((r) => r.success && r.version === TO_VERSION) && w.current?.agent.ctx.state === 'idle';

describe('explicit activation (CS06)', () => {
  it('no image held → 1; wrong hash → 2 and nothing changes; the right hash → 0, then trial and confirmation', () => {
    const { world, image, hash } = heldWorld();
    world.boot();
    expect(world.current!.command(hash)).toBe(1);
    expect(world.run(() => world.current?.agent.held !== undefined)).toBe(true);
    // The CH's Upgrade End Response said "wait for a command": ImageUpgradeStatus 6.
    expect(world.reportsOf('upgrade-status').at(-1)).toEqual({ kind: 'upgrade-status', status: 6 });
    expect(world.current!.agent.held!.manufacturerImageHash).toEqual(image.manufacturerImageHash);
    const wrong = hash.slice();
    wrong[31] ^= 1;
    expect(world.current!.command(wrong)).toBe(2);
    expect(world.current!.command(hash.subarray(0, 31))).toBe(2);
    world.scheduler.advanceTo(world.scheduler.now + 3600_000);
    expect(world.bootRecord()?.state).toBe('confirmed');
    expect(world.boots).toBe(1);
    expect(world.reportsOf('activation')).toEqual([]);
    expect(world.current!.command(hash)).toBe(0);
    expect(world.run(() => confirmed(world))).toBe(true);
    // The floor stays at the previous version: it is the fallback (docs/BOOT.md row 7); offers at or below the running version are refused anyway.
    expect(world.bootRecord()).toMatchObject({
      state: 'confirmed',
      floor: FROM_VERSION,
      confirmed: { bank: 1, version: TO_VERSION },
      fallback: { bank: 0, version: FROM_VERSION },
    });
    expect(world.reportsOf('activation')).toEqual([{ kind: 'activation', success: true, version: TO_VERSION }]);
    expect(world.reportsOf('firmware-version').map((r) => r.version)).toEqual([FROM_VERSION, TO_VERSION]);
  });

  it('an unsolicited Upgrade End Response naming the held image (upgrade time now) activates it', () => {
    const { world } = heldWorld({ seed: 19 });
    expect(world.run(() => world.current?.agent.held !== undefined)).toBe(true);
    world.scheduler.advanceTo(world.scheduler.now + 600_000);
    expect(world.bootRecord()?.state).toBe('confirmed');
    expect(world.boots).toBe(1);
    world.link.serverEnd.send(
      encodeOtaFrame({
        sequence: 0x42,
        command: {
          name: 'upgradeEndResponse',
          manufacturerCode: E2E_IDS.manufacturerCode,
          imageType: E2E_IDS.imageType,
          fileVersion: TO_VERSION,
          currentTime: 1000,
          upgradeTime: 1000,
        },
      }),
    );
    expect(world.run(() => confirmed(world))).toBe(true);
    expect(world.boots).toBe(2);
  });

  it('an unsolicited Upgrade End Response for another version is ignored', () => {
    const { world } = heldWorld({ seed: 23 });
    expect(world.run(() => world.current?.agent.held !== undefined)).toBe(true);
    world.link.serverEnd.send(
      encodeOtaFrame({
        sequence: 0x43,
        command: {
          name: 'upgradeEndResponse',
          manufacturerCode: E2E_IDS.manufacturerCode,
          imageType: E2E_IDS.imageType,
          fileVersion: TO_VERSION + 1,
          currentTime: 0,
          upgradeTime: 0,
        },
      }),
    );
    world.scheduler.advanceTo(world.scheduler.now + 600_000);
    expect(world.boots).toBe(1);
    expect(world.current!.agent.ctx.state).toBe('awaiting-activation');
  });
});

describe('CS09 date-time', () => {
  it('with a trusted wall clock the activation alert carries its time; with an untrusted one it carries none', () => {
    for (const trusted of [true, false]) {
      const image = signedImage(8_000, { seed: 7 });
      const world = new World({
        seed: 37,
        trust: pki().trustStore,
        ...E2E_IDS,
        hardwareVersion: HARDWARE_VERSION,
        currentVersion: FROM_VERSION,
        bankSize: 64 * 1024,
        server: { upgradeTime: 0 },
        wall: { epochUnixSeconds: 1_800_000_000, trusted },
      });
      world.ch.images.push(servedImage(image.file));
      expect(world.run(() => confirmed(world))).toBe(true);
      const [alert] = world.reportsOf('activation');
      if (trusted)
        expect(alert.atUnixSeconds).toBe(
          1_800_000_000 + Math.floor(world.reports.find((r) => r.report === alert)!.t / 1000),
        );
      else expect(alert.atUnixSeconds).toBeUndefined();
      expect(alert).toMatchObject({ success: true, version: TO_VERSION });
    }
  });
});

describe('Upgrade End Response timing', () => {
  it("an upgrade time one hour after the frame's current time activates an hour after the response, by the device's own clock", () => {
    const image = signedImage(8_000, { seed: 7 });
    const world = new World({
      seed: 31,
      trust: pki().trustStore,
      ...E2E_IDS,
      hardwareVersion: HARDWARE_VERSION,
      currentVersion: FROM_VERSION,
      bankSize: 64 * 1024,
      server: { currentTime: 5_000_000, upgradeTime: 5_003_600 },
    });
    world.ch.images.push(servedImage(image.file));
    let heldAt = 0;
    let activatedAt = 0;
    world.onPhase = (p) => {
      if (p === 'activate') activatedAt = world.scheduler.now;
    };
    expect(world.run(() => world.current?.agent.held !== undefined)).toBe(true);
    heldAt = world.scheduler.now;
    expect(world.reportsOf('upgrade-status').at(-1)).toEqual({ kind: 'upgrade-status', status: 4 });
    expect(world.run(() => confirmed(world))).toBe(true);
    expect(activatedAt - heldAt).toBeGreaterThanOrEqual(3600_000 - 1_000);
    expect(activatedAt - heldAt).toBeLessThan(3600_000 + 1_000);
  });
});

describe('activation and the battery', () => {
  it('below the activation level the accepted activation is deferred and reported; it happens once the battery recovers', () => {
    const { world, hash } = heldWorld({ battery: true, seed: 29 });
    expect(world.run(() => world.current?.agent.held !== undefined)).toBe(true);
    const battery = world.battery!;
    // Drain the cell to 20 %: below the activation level (25 %), above the brown-out warning.
    battery.drain(((battery.percent() - 20) * DEFAULT_BATTERY.capacity) / 100);
    expect(battery.percent()).toBeLessThan(DEFAULT_POWER_POLICY.activatePercent);
    let levelAtActivation: number | undefined;
    world.onPhase = (p) => {
      if (p === 'activate') levelAtActivation = battery.percent();
    };
    expect(world.current!.command(hash)).toBe(0);
    world.scheduler.advanceTo(world.scheduler.now + 60_000);
    expect(world.reportsOf('activation-deferred')).toEqual([
      { kind: 'activation-deferred', reason: 'battery below the activation level' },
    ]);
    expect(world.bootRecord()?.state).toBe('confirmed');
    expect(world.boots).toBe(1);
    // The cell recharges (0.45 units/s net): a few virtual hours later the activation goes ahead.
    expect(world.run(() => confirmed(world))).toBe(true);
    expect(levelAtActivation).toBeGreaterThanOrEqual(DEFAULT_POWER_POLICY.activatePercent);
    expect(world.reportsOf('activation-deferred')).toHaveLength(1);
    expect(world.reportsOf('activation')).toEqual([{ kind: 'activation', success: true, version: TO_VERSION }]);
    expect(world.scheduler.now).toBeGreaterThan(3600_000);
  });
});
