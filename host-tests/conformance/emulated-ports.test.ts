/**
 * The port conformance suites (device/conformance/) against the emulated ports of
 * sim/ and the portable crypto ports: every check passes. Then against
 * deliberately broken ports: the suites catch each breach, so a pass means something.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import {
  formatResults,
  runBootControlSuite,
  runClockSuite,
  runFlashSuite,
  runP256Suite,
  runPowerSuite,
  runSha256Suite,
  runTransportSuite,
  summarise,
  type CheckResult,
} from '../../device/conformance/index.js';
import { checkedP256Verifier, P256 } from '../../device/ecdsa/ecdsa-p256-checks.js';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { Clock, Flash, P256Verifier, Sha256 } from '../../device/ports.js';
import { testClient, TEST_IMAGE_TYPE, TEST_MANUFACTURER, RUNNING_VERSION } from '../../sim/download-scenario.js';
import { World } from '../../sim/world.js';
import { nobleP256Engine } from '../../sim/noble-p256-engine.js';
import { PowerRail } from '../../sim/power-rail.js';
import { Scheduler } from '../../sim/scheduler.js';
import { DEFAULT_BATTERY, SimBattery, SimPower } from '../../sim/sim-battery.js';
import { SimClock } from '../../sim/sim-clock.js';
import { FLASH_PROFILES, FlashMedia } from '../../sim/sim-flash.js';

function allPass(results: CheckResult[]): void {
  const s = summarise(results);
  expect(s.failures, formatResults(results).join('\n')).toEqual([]);
  expect(s.passed).toBeGreaterThan(0);
}

function failedNames(results: CheckResult[]): string[] {
  return summarise(results).failures.map((f) => f.name);
}

function virtualWait(scheduler: Scheduler) {
  return async (ms: number) => {
    scheduler.advanceTo(scheduler.now + ms);
  };
}

describe('conformance suites pass on the emulated and portable ports', () => {
  it('Sha256: noble', () => allPass(runSha256Suite(nobleSha256)));

  it('P256Verifier: noble, and the checked verifier over a bare engine', () => {
    allPass(runP256Suite(nobleP256));
    allPass(runP256Suite(checkedP256Verifier(nobleP256Engine)));
  });

  for (const profile of FLASH_PROFILES) {
    it(`Flash: SimFlash ${profile.name}`, () => {
      const media = new FlashMedia(profile, 8 * profile.sectorSize, 1);
      allPass(runFlashSuite(media.attach(new PowerRail()), { scratchSectors: [3, 4] }));
      // The suite's deliberate breaches were refused and recorded by the emulated chip.
      expect(media.misuse.length).toBeGreaterThan(0);
    });
  }

  it('Clock: SimClock on virtual time', async () => {
    const scheduler = new Scheduler();
    const clock = new SimClock(scheduler, new PowerRail(), { epochUnixSeconds: 1_750_000_000, trusted: false });
    allPass(await runClockSuite(clock, { wait: virtualWait(scheduler), slackMs: 0 }));
  });

  it('Power: SimPower on mains and on a battery', () => {
    allPass(runPowerSuite(new SimPower(new PowerRail(), undefined)));
    const scheduler = new Scheduler();
    const rail = new PowerRail();
    const battery = new SimBattery(scheduler, DEFAULT_BATTERY);
    battery.attach(rail);
    allPass(runPowerSuite(new SimPower(rail, battery)));
  });

  it('BootControl and OtaTransport: a device instance against the emulated CH', async () => {
    const world = new World({ currentVersion: RUNNING_VERSION, seed: 5, bankSize: 16 * 1024 });
    const device = world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
    allPass(runBootControlSuite(device.boot, { expectedBank: 0 }));
    // A second receiver on the device end of the radio link, as a vendor's test build would have.
    const transport = world.link.deviceEnd(new PowerRail());
    const results = await runTransportSuite(transport, {
      wait: virtualWait(world.scheduler),
      answerWithinMs: 5000,
      manufacturerCode: TEST_MANUFACTURER,
      imageType: TEST_IMAGE_TYPE,
      fileVersion: RUNNING_VERSION,
    });
    allPass(results);
  });
});

describe('conformance suites catch broken ports', () => {
  it('a SHA-256 that hashes the whole buffer behind a view', () => {
    const broken: Sha256 = {
      create() {
        const h = nobleSha256.create();
        return { update: (d) => h.update(new Uint8Array(d.buffer)), digest: () => h.digest() };
      },
    };
    expect(failedNames(runSha256Suite(broken))).toContain('views into a larger buffer hash only their own bytes');
  });

  it('a verifier that slices r‖s out of any input and checks nothing else', () => {
    // No length or format check, no range check of r and s, no curve check, x(R) compared unreduced.
    const bare: P256Verifier = {
      verify(digest, signature, publicKey) {
        try {
          const big = (b: Uint8Array) => BigInt('0x0' + Buffer.from(b).toString('hex'));
          const r = big(signature.subarray(0, 32));
          const s = big(signature.subarray(32, 64));
          const w = nobleP256Engine.invertModN(s % P256.n);
          const e = big(digest);
          const R = nobleP256Engine.mulAdd(
            (e * w) % P256.n,
            (r * w) % P256.n,
            big(publicKey.subarray(1, 33)),
            big(publicKey.subarray(33, 65)),
          );
          return R !== undefined && R.x === r;
        } catch {
          return false;
        }
      },
    };
    const failed = failedNames(runP256Suite(bare));
    expect(failed).toContain('DER verifies');
    expect(failed).toContain('raw signature of 65 bytes is refused');
    expect(failed).toContain('raw bytes given as DER are refused');
  });

  it('a flash whose erase leaves the sector as it was, and one that accepts unaligned programs', () => {
    const media = new FlashMedia(FLASH_PROFILES[0], 8 * 4096, 2);
    const chip = media.attach(new PowerRail());
    const lazyErase: Flash = { ...pick(chip), erase: () => undefined };
    expect(failedNames(runFlashSuite(lazyErase, { scratchSectors: [3, 4] }))).toContain(
      'erase sets every byte of the sector to the erased value',
    );
    const media2 = new FlashMedia(FLASH_PROFILES[0], 8 * 4096, 3);
    const chip2 = media2.attach(new PowerRail());
    const lax: Flash = {
      ...pick(chip2),
      program: (offset, data) => media2.bytes.set(data, offset),
    };
    const failed = failedNames(runFlashSuite(lax, { scratchSectors: [3, 4] }));
    expect(failed).toContain('unaligned program offset or length throws');
    expect(failed).toContain(
      'programming over programmed bytes throws or only moves bits away from the erased value (NOR)',
    );
  });

  it('a clock whose timers due together fire last-set first', async () => {
    const scheduler = new Scheduler();
    const sim = new SimClock(scheduler, new PowerRail(), undefined);
    const lifo: Clock = {
      monotonicMs: () => sim.monotonicMs(),
      wallTime: () => sim.wallTime(),
      // Each later timer is due a little earlier: ties come out reversed.
      setTimer: (ms, cb) => sim.setTimer(Math.max(0, ms - (seq++ % 2)), cb),
      clearTimer: (h) => sim.clearTimer(h),
    };
    let seq = 0;
    expect(failedNames(await runClockSuite(lifo, { wait: virtualWait(scheduler), slackMs: 0 }))).toContain(
      'timers fire once each, in due order, ties in the order set',
    );
  });
});

function pick(flash: Flash): Flash {
  return {
    size: flash.size,
    sectorSize: flash.sectorSize,
    writeAlign: flash.writeAlign,
    erasedValue: flash.erasedValue,
    read: (o, b) => flash.read(o, b),
    erase: (s) => flash.erase(s),
    program: (o, d) => flash.program(o, d),
  };
}
