/**
 * The port conformance suites (device/conformance/) against the lin ports, inside the lin
 * build (its `conformance` variant, run by `npm run moddable:e2e -- --only conformance`):
 * Flash over a scratch file of two sectors (FileFlash, the port the agent runs on, never
 * the flash file itself), BootControl (the bank the supervisor's bootloader started),
 * OtaTransport over the link against the supervisor's emulated Communications Hub, and
 * the build's Sha256, P256Verifier, Clock and Power ports.
 */
import * as filesModule from 'embedded:storage/files';
import Timer from 'timer';
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
  type Summary,
} from '../../conformance/index.js';
import type { BootControl, Clock, OtaTransport, P256Verifier, Power, Sha256 } from '../../ports.js';
import { FileFlash } from './file-flash.js';
import { LIN_FLASH } from './lin-build.js';

export interface LinConformancePorts {
  boot: BootControl;
  bank: 0 | 1;
  transport: OtaTransport;
  sha256: Sha256;
  p256: P256Verifier;
  clock: Clock;
  power: Power;
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
}

/** A real wait on the platform's own timer, not on the Clock port under test. */
function wait(ms: number): Promise<void> {
  return new Promise((resolve) => {
    Timer.set(() => resolve(), ms);
  });
}

function scratchFlash(): FileFlash {
  const files = (filesModule as unknown as { default: filesModule.Directory }).default;
  const size = 2 * LIN_FLASH.sectorSize;
  const file = files.openFile({ path: 'conformance-flash.bin', mode: 'w+' });
  file.setSize(size);
  return new FileFlash(
    {
      read: (into, position) => {
        file.read(into, position);
      },
      write: (from, position) => file.write(from, position),
      flush: () => file.flush(),
    },
    { size, ...LIN_FLASH },
    size,
  );
}

export async function runLinConformance(p: LinConformancePorts): Promise<{ lines: string[]; summary: Summary }> {
  const results: CheckResult[] = [];
  results.push(...runFlashSuite(scratchFlash(), { scratchSectors: [0, 1] }));
  results.push(...runBootControlSuite(p.boot, { expectedBank: p.bank }));
  results.push(
    ...(await runTransportSuite(p.transport, {
      wait,
      answerWithinMs: 2000,
      manufacturerCode: p.manufacturerCode,
      imageType: p.imageType,
      fileVersion: p.fileVersion,
    })),
  );
  results.push(...runSha256Suite(p.sha256));
  results.push(...runP256Suite(p.p256));
  results.push(...(await runClockSuite(p.clock, { wait, slackMs: 20 })));
  results.push(...runPowerSuite(p.power));
  return { lines: formatResults(results), summary: summarise(results) };
}
