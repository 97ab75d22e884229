/**
 * Moddable test app: the port conformance suites (device/conformance/) against the ports
 * this platform's build gives, inside the real runtime. Every line starts with
 * "conformance-app:"; the last is "conformance-app: done".
 *
 * A vendor copies this app, maps the modules to their own ports in its manifest, and adds
 * their Flash (with two spare sectors), BootControl and OtaTransport (against a test
 * server) to `targets` below; docs/PORTING.md, "Port conformance".
 *
 * Build and run: `npm run moddable:conformance`.
 */
import Timer from 'timer';
import {
  formatResults,
  runClockSuite,
  runP256Suite,
  runPowerSuite,
  runSha256Suite,
  summarise,
  type CheckResult,
} from 'conformance/index';
import { moddableClock } from 'platform/moddable/clock';
import { mainsPower } from 'platform/moddable/power-mains';
import { cryptoPortsKind, platformP256, platformSha256 } from 'platform/crypto-ports';

function say(line: string): void {
  trace(`conformance-app: ${line}\n`);
}

/** A real wait on the platform's own timer, not on the Clock port under test. */
function wait(ms: number): Promise<void> {
  return new Promise((resolve) => {
    Timer.set(() => resolve(), ms);
  });
}

const results: CheckResult[] = [];

async function main(): Promise<void> {
  say(`crypto ports: ${cryptoPortsKind}`);
  results.push(...runSha256Suite(platformSha256));
  results.push(...runP256Suite(platformP256));
  results.push(...(await runClockSuite(moddableClock, { wait, slackMs: 20 })));
  results.push(...runPowerSuite(mainsPower));
  for (const line of formatResults(results)) say(line);
  say(
    'not run here: Flash, BootControl, OtaTransport (they need a flash file and a supervisor: npm run moddable:e2e -- --only conformance runs them against the lin ports)',
  );
  const s = summarise(results);
  say(`result: ${s.failed === 0 ? 'PASS' : 'FAIL'} (${s.passed} passed, ${s.failed} failed)`);
  say('done');
}

main().catch((e: unknown) => {
  say(`result: FAIL (the run threw ${String(e)})`);
  say('done');
});
