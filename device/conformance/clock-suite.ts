/**
 * Clock port contract: monotonic time that never goes back and follows the time that
 * passes, timers that fire once, in due order (ties in the order set), cancelled timers
 * that never fire, and a wall time that is absent or well formed.
 */
import type { Clock } from '../ports.js';
import { must, SuiteRun, type CheckResult } from './report.js';

export interface ClockSuiteEnv {
  /**
   * Lets `ms` of the clock's time pass, with its timers firing as they fall due: a real
   * wait on a device, an advance of virtual time in an emulator.
   */
  wait(ms: number): Promise<void>;
  /** Timing slack a real scheduler needs, in ms (0 in an emulator). */
  slackMs: number;
}

export async function runClockSuite(clock: Clock, env: ClockSuiteEnv): Promise<CheckResult[]> {
  const run = new SuiteRun('Clock');
  const slack = env.slackMs;

  await run.checkAsync('monotonicMs never goes back and follows the time waited', async () => {
    const t0 = clock.monotonicMs();
    let last = t0;
    for (let i = 0; i < 100; i++) {
      const t = clock.monotonicMs();
      must(typeof t === 'number' && t >= last, `monotonicMs went from ${last} to ${t}`);
      last = t;
    }
    await env.wait(50);
    const t1 = clock.monotonicMs();
    must(t1 - t0 >= 50 - slack && t1 - t0 <= 50 + 10 * slack + 1000, `waited 50 ms, monotonicMs moved ${t1 - t0}`);
  });

  await run.checkAsync('timers fire once each, in due order, ties in the order set', async () => {
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push('c30'));
    clock.setTimer(10, () => fired.push('a10'));
    clock.setTimer(20, () => fired.push('b20-1'));
    clock.setTimer(20, () => fired.push('b20-2'));
    clock.setTimer(0, () => fired.push('z0'));
    await env.wait(80 + 2 * slack);
    must(fired.join(' ') === 'z0 a10 b20-1 b20-2 c30', `fired ${fired.join(' ') || 'nothing'}`);
  });

  await run.checkAsync('a timer does not fire early', async () => {
    const t0 = clock.monotonicMs();
    let at = -1;
    clock.setTimer(40, () => {
      at = clock.monotonicMs();
    });
    await env.wait(40 + 2 * slack + 20);
    must(at >= 0, 'the timer never fired');
    must(at - t0 >= 40 - 1, `fired after ${at - t0} ms of 40`);
  });

  await run.checkAsync('clearTimer stops a timer; unknown and fired handles are ignored', async () => {
    let fired = 0;
    const h = clock.setTimer(10, () => fired++);
    const done = clock.setTimer(0, () => undefined);
    clock.clearTimer(h);
    await env.wait(30 + 2 * slack);
    must(fired === 0, 'a cleared timer fired');
    clock.clearTimer(h);
    clock.clearTimer(done);
    clock.clearTimer(987654321);
  });

  await run.checkAsync('a timer set from a timer callback fires', async () => {
    let inner = false;
    clock.setTimer(5, () => {
      clock.setTimer(5, () => {
        inner = true;
      });
    });
    await env.wait(30 + 2 * slack);
    must(inner, 'the inner timer never fired');
  });

  run.check('wallTime is undefined or whole seconds with a trusted flag', () => {
    const w = clock.wallTime();
    if (w === undefined) return;
    must(Number.isInteger(w.unixSeconds) && w.unixSeconds >= 0, `unixSeconds ${w.unixSeconds}`);
    must(typeof w.trusted === 'boolean', `trusted ${String(w.trusted)}`);
  });
  return run.results;
}
