/**
 * The trial image's self-test: vendor checks that must all pass, within a deadline,
 * before the agent confirms the new image. A check that throws, answers twice, or is
 * still running at the deadline counts as failed. The bootloader's trial watchdog is the
 * backstop if the agent itself never gets this far.
 */
import type { Clock } from '../ports.js';

export interface SelfTestCheck {
  name: string;
  /** Starts the check; calls `finish(true)` or `finish(false, reason)` once, possibly later. */
  run(finish: (ok: boolean, reason?: string) => void): void;
}

export type SelfTestResult = { ok: true } | { ok: false; reason: string };

/** Runs the checks in order; calls `done` exactly once. */
export function runSelfTest(
  clock: Clock,
  checks: readonly SelfTestCheck[],
  deadlineMs: number,
  done: (result: SelfTestResult) => void,
): void {
  let finished = false;
  let timer: number | undefined;
  const end = (result: SelfTestResult) => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) {
      try {
        clock.clearTimer(timer);
      } catch {
        // the timer firing late is harmless: `finished` guards it
      }
    }
    done(result);
  };
  try {
    timer = clock.setTimer(deadlineMs, () => end({ ok: false, reason: 'deadline' }));
  } catch {
    end({ ok: false, reason: 'no timer for the deadline' });
    return;
  }
  const next = (i: number) => {
    if (finished) return;
    if (i >= checks.length) return end({ ok: true });
    let answered = false;
    try {
      checks[i].run((ok, reason) => {
        if (answered) return;
        answered = true;
        if (ok) next(i + 1);
        else end({ ok: false, reason: `${checks[i].name}: ${reason ?? 'failed'}` });
      });
    } catch (e) {
      end({ ok: false, reason: `${checks[i].name}: threw ${(e as Error)?.message ?? String(e)}` });
    }
  };
  next(0);
}
