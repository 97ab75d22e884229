/**
 * BootControl port contract, the part a running program can check: the running bank is 0
 * or 1 and stays the same for the whole boot. `restart()` does not return on a device, so
 * it is proved by the whole-update runs (the bootloader's next decision), not here.
 */
import type { BootControl } from '../ports.js';
import { must, SuiteRun, type CheckResult } from './report.js';

export interface BootControlSuiteOptions {
  /** The bank the test set-up started, when it knows it. */
  expectedBank?: number;
}

export function runBootControlSuite(boot: BootControl, options: BootControlSuiteOptions = {}): CheckResult[] {
  const run = new SuiteRun('BootControl');
  run.check('runningBank is 0 or 1 and does not change during a boot', () => {
    const b = boot.runningBank();
    must(b === 0 || b === 1, `runningBank ${String(b)}`);
    for (let i = 0; i < 10; i++) must(boot.runningBank() === b, 'runningBank changed between calls');
  });
  if (options.expectedBank !== undefined) {
    run.check('runningBank is the bank the bootloader started', () => {
      must(
        boot.runningBank() === options.expectedBank,
        `runningBank ${boot.runningBank()}, started ${String(options.expectedBank)}`,
      );
    });
  }
  return run.results;
}
