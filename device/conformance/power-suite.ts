/** Power port contract: a source, a level in 0..100, a boolean warning; mains is full and never warns. */
import type { Power } from '../ports.js';
import { must, SuiteRun, type CheckResult } from './report.js';

export function runPowerSuite(power: Power): CheckResult[] {
  const run = new SuiteRun('Power');
  run.check("source is 'mains' or 'battery'", () => {
    const s = power.source();
    must(s === 'mains' || s === 'battery', `source ${String(s)}`);
  });
  run.check('level is a number in 0..100', () => {
    const l = power.level();
    must(typeof l === 'number' && l >= 0 && l <= 100, `level ${String(l)}`);
  });
  run.check('lowWarning is a boolean', () => {
    const w = power.lowWarning();
    must(typeof w === 'boolean', `lowWarning ${String(w)}`);
  });
  run.check('mains: level 100 and no warning', () => {
    if (power.source() !== 'mains') return;
    must(
      power.level() === 100 && power.lowWarning() === false,
      `level ${power.level()}, warning ${String(power.lowWarning())}`,
    );
  });
  return run.results;
}
