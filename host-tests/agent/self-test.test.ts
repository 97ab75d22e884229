/** The trial self-test runner: all checks pass within the deadline, or it fails. */
import { describe, expect, it } from 'vitest';
import { runSelfTest, type SelfTestCheck, type SelfTestResult } from '../../device/agent/self-test.js';
import { PowerRail } from '../../sim/power-rail.js';
import { Scheduler } from '../../sim/scheduler.js';
import { SimClock } from '../../sim/sim-clock.js';

function harness() {
  const s = new Scheduler();
  return { s, clock: new SimClock(s, new PowerRail(), undefined) };
}

const pass = (name: string): SelfTestCheck => ({ name, run: (f) => f(true) });

describe('self-test runner', () => {
  it('passes when every check passes, including one that answers later', () => {
    const { s, clock } = harness();
    const results: SelfTestResult[] = [];
    const later: SelfTestCheck = { name: 'radio rejoined', run: (f) => clock.setTimer(2000, () => f(true)) };
    runSelfTest(clock, [pass('storage'), later, pass('trust store')], 10_000, (r) => results.push(r));
    s.runUntil(() => false);
    expect(results).toEqual([{ ok: true }]);
  });

  it('fails on the first failing check, naming it', () => {
    const { s, clock } = harness();
    const results: SelfTestResult[] = [];
    runSelfTest(
      clock,
      [pass('storage'), { name: 'trust store', run: (f) => f(false, 'cell unreadable') }],
      10_000,
      (r) => results.push(r),
    );
    s.runUntil(() => false);
    expect(results).toEqual([{ ok: false, reason: 'trust store: cell unreadable' }]);
  });

  it('fails at the deadline when a check never answers, and only once', () => {
    const { s, clock } = harness();
    const results: SelfTestResult[] = [];
    let late: ((ok: boolean) => void) | undefined;
    runSelfTest(clock, [{ name: 'radio rejoined', run: (f) => (late = f) }], 5000, (r) => results.push(r));
    s.runUntil(() => false);
    late?.(true);
    expect(results).toEqual([{ ok: false, reason: 'deadline' }]);
    expect(s.now).toBe(5000);
  });

  it('a check that throws fails the self-test', () => {
    const { clock } = harness();
    const results: SelfTestResult[] = [];
    runSelfTest(
      clock,
      [
        {
          name: 'storage',
          run: () => {
            throw new Error('flash read failed');
          },
        },
      ],
      5000,
      (r) => results.push(r),
    );
    expect(results).toEqual([{ ok: false, reason: 'storage: threw flash read failed' }]);
  });
});
