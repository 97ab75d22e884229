/**
 * The agent's guarded port calls: every call that may throw is turned into an OtaError
 * code kept in a bounded ring (`recentErrors`), and the agent goes on. Timers, the
 * monotonic clock and the observer (`onPhase`) are reached only through here, so no throw
 * leaves a timer callback or an observer. Reports go out through here too.
 */
import { asOtaError, type OtaError, type OtaErrorCode } from '../errors.js';
import type { Ports, Report } from '../ports.js';
import { AgentError } from './agent-errors.js';

/** What the agent tells an observer (logs, the emulator's timeline); never needed to run. */
export type AgentPhase =
  | 'query'
  | 'download'
  | 'paused'
  | 'resumed'
  | 'verify'
  | 'activate'
  | 'trial'
  | 'confirmed'
  | 'rolled-back'
  | 'refused'
  | 'deferred';

/** Errors kept for the log; older ones are dropped. */
const ERROR_RING = 16;

export class AgentRuntime {
  readonly recentErrors: OtaErrorCode[] = [];
  private lastStatus = -1;

  constructor(
    readonly ports: Ports,
    private readonly onPhase: ((phase: AgentPhase, detail?: string) => void) | undefined,
  ) {}

  /** Runs `fn`; a throw is noted with `code` (or its own code, for an OtaError). */
  guard(code: OtaErrorCode, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.note(asOtaError(e, code));
    }
  }

  note(e: OtaError): void {
    this.recentErrors.push(e.code);
    if (this.recentErrors.length > ERROR_RING) this.recentErrors.shift();
  }

  phase(phase: AgentPhase, detail?: string): void {
    try {
      this.onPhase?.(phase, detail);
    } catch {
      // an observer never stops the agent
    }
  }

  /**
   * Hands a report to the Reporter: an unchanged ImageUpgradeStatus is not sent again, an
   * activation alert carries the wall time when it is trusted, a refused report is dropped.
   */
  report(report: Report): void {
    if (report.kind === 'upgrade-status') {
      if (report.status === this.lastStatus) return;
      this.lastStatus = report.status;
    }
    if (report.kind === 'activation' && report.atUnixSeconds === undefined) {
      try {
        const time = this.ports.clock.wallTime();
        if (time?.trusted) report = { ...report, atUnixSeconds: time.unixSeconds };
      } catch {
        // no trusted time: the alert goes without one
      }
    }
    if (report.kind === 'verification' && report.alertCode === 0x8f1c) this.phase('refused', report.errorCode);
    try {
      this.ports.reporter.report(report);
    } catch (e) {
      this.note(asOtaError(e, AgentError.reportDropped));
    }
  }

  /** Arms a timer whose callback cannot throw; undefined when the clock refused. */
  setTimer(ms: number, fn: () => void): number | undefined {
    try {
      return this.ports.clock.setTimer(ms, () => {
        try {
          fn();
        } catch (e) {
          this.note(asOtaError(e, AgentError.internal));
        }
      });
    } catch (e) {
      this.note(asOtaError(e, AgentError.clockFailed));
      return undefined;
    }
  }

  clearTimer(handle: number): void {
    this.guard(AgentError.clockFailed, () => this.ports.clock.clearTimer(handle));
  }

  /** The monotonic time, or 0 when the clock threw. */
  nowMs(): number {
    try {
      return this.ports.clock.monotonicMs();
    } catch (e) {
      this.note(asOtaError(e, AgentError.clockFailed));
      return 0;
    }
  }
}
