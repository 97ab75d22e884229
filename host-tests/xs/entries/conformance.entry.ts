/**
 * XS-lane cases for the port conformance suites: the synchronous suites run inside XS
 * against the emulated ports and the portable crypto, proving the suites themselves are
 * runtime-neutral (no Node API, no TextEncoder). The timer-driven Clock and Transport
 * suites need a job queue between turns, which the lane's one-call-one-answer protocol
 * does not give; they run on Node (host-tests/conformance) and in the Moddable build.
 */
import {
  runBootControlSuite,
  runFlashSuite,
  runP256Suite,
  runPowerSuite,
  runSha256Suite,
  summarise,
  type CheckResult,
} from '../../../device/conformance/index.js';
import { checkedP256Verifier } from '../../../device/ecdsa/ecdsa-p256-checks.js';
import { nobleP256 } from '../../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import { nobleP256Engine } from '../../../sim/noble-p256-engine.js';
import { PowerRail } from '../../../sim/power-rail.js';
import { SimPower } from '../../../sim/sim-battery.js';
import { FLASH_PROFILES, FlashMedia } from '../../../sim/sim-flash.js';
import { serve } from './serve.js';

function counts(results: CheckResult[]) {
  const s = summarise(results);
  return { passed: s.passed, failed: s.failures.map((f) => `${f.suite}: ${f.name} — ${f.detail}`) };
}

serve({
  sha256: () => counts(runSha256Suite(nobleSha256)),
  p256: () => counts([...runP256Suite(nobleP256), ...runP256Suite(checkedP256Verifier(nobleP256Engine))]),
  flash: () => {
    const results: CheckResult[] = [];
    for (const profile of FLASH_PROFILES) {
      const media = new FlashMedia(profile, 8 * profile.sectorSize, 1);
      results.push(...runFlashSuite(media.attach(new PowerRail()), { scratchSectors: [3, 4] }));
    }
    return counts(results);
  },
  powerAndBoot: () =>
    counts([
      ...runPowerSuite(new SimPower(new PowerRail(), undefined)),
      ...runBootControlSuite({ runningBank: () => 1, restart: () => undefined }, { expectedBank: 1 }),
    ]),
});
