/**
 * Activation as SECMP0007 asks: a CS06 command answered at once, the power checked at the
 * moment of activation (one deferral report, then a re-check every `recheckMs`), then
 * ARMED and the boot record written (trial of the new bank) and a restart. A boot record
 * that cannot be armed is reported and tried again a few times.
 */
import { asOtaError } from '../errors.js';
import { ActivationResponse, type ActivationCommand, type ActivationResponseCode } from '../ports.js';
import { activateTrial, Journal, type StorageLayout, type TrialOptions } from '../storage/index.js';
import { decideActivationCommand, powerAllowsActivation } from './activation.js';
import { AgentError, SinkError } from './agent-errors.js';
import type { AgentRuntime } from './agent-runtime.js';
import { recordArmed } from './held-record.js';
import type { AgentContext, AgentEvent } from './lifecycle.js';
import type { PowerPolicy } from './power-policy.js';
import type { HeldBankImage } from './update-sink.js';

/** Activation attempts retried after the boot record could not be armed (each one reported). */
const ARM_RETRIES = 3;

/** What activation needs of the agent. */
export interface ActivatorHost {
  /** The lifecycle's state. */
  readonly ctx: AgentContext;
  /** The verified image the sink holds, whatever the state. */
  heldImage(): HeldBankImage | undefined;
  layout(): StorageLayout;
  /** Stops the OTA client before the boot record is written. */
  stopDownload(): void;
  /** Posts an event (from a timer or a port's callback). */
  post(event: AgentEvent): void;
  /** Adds an event to the queue being run (from a table action). */
  enqueue(event: AgentEvent): void;
}

export class Activator {
  private recheck: number | undefined;
  private armFailures = 0;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly host: ActivatorHost,
    private readonly policy: PowerPolicy,
    private readonly trialOptions: TrialOptions | undefined,
  ) {}

  /** The verified image waiting for activation, if any. */
  heldForActivation(): HeldBankImage | undefined {
    return this.host.ctx.state === 'awaiting-activation' ? this.host.heldImage() : undefined;
  }

  /** Answers a CS06 activation command at once; an accepted one activates from a timer. */
  onCommand(command: ActivationCommand): ActivationResponseCode {
    try {
      const decision = decideActivationCommand(this.heldForActivation(), command);
      if (!decision.accept) return decision.response;
      let delayMs = 0;
      if (command.atUnixSeconds !== undefined) {
        const time = this.runtime.ports.clock.wallTime();
        if (time) delayMs = Math.max(0, (command.atUnixSeconds - time.unixSeconds) * 1000);
      }
      // Answer first; the activation (which restarts the device) follows from a timer.
      this.runtime.setTimer(delayMs, () => this.host.post({ type: 'activation-accepted' }));
      return ActivationResponse.success;
    } catch (e) {
      this.runtime.note(asOtaError(e, AgentError.activationFailed));
      return ActivationResponse.activationFailure;
    }
  }

  /**
   * Activates now if the supply allows; otherwise reports the deferral once and re-checks
   * every `recheckMs` until it does. From the table the event joins the running queue;
   * from a timer it is posted.
   */
  tryActivate(fromTable = false): void {
    const policy = this.policy;
    let allowed = false;
    try {
      const power = this.runtime.ports.power;
      const source = power.source();
      allowed = powerAllowsActivation(
        source,
        source === 'mains' ? 100 : power.level(),
        power.lowWarning(),
        policy.activatePercent,
      );
    } catch (e) {
      this.runtime.note(asOtaError(e, AgentError.powerReadFailed));
    }
    this.clearRecheck();
    let event: AgentEvent | undefined;
    if (allowed) event = { type: 'activation-due' };
    else {
      if (!this.host.ctx.activationPending) {
        this.runtime.phase('deferred', 'battery below the activation level');
        event = { type: 'power-insufficient' };
      }
      this.recheck = this.runtime.setTimer(policy.recheckMs, () => {
        this.recheck = undefined;
        if (this.host.ctx.state === 'awaiting-activation') this.tryActivate();
      });
    }
    if (!event) return;
    if (fromTable) this.host.enqueue(event);
    else this.host.post(event);
  }

  private clearRecheck(): void {
    if (this.recheck === undefined) return;
    const handle = this.recheck;
    this.recheck = undefined;
    this.runtime.clearTimer(handle);
  }

  /** Stops the download, writes ARMED and the boot record (trial of the new bank), and restarts. */
  armTrial(): void {
    const held = this.host.heldImage();
    this.runtime.phase('activate', held ? `version 0x${held.fileVersion.toString(16)}` : undefined);
    if (!held) {
      this.host.enqueue({ type: 'trial-armed-failed', code: SinkError.notVerified });
      return;
    }
    try {
      this.host.stopDownload();
      recordArmed(Journal.open(this.runtime.ports.flash, this.host.layout()), {
        fileVersion: held.fileVersion,
        payloadDigest: held.payloadDigest,
      });
      const image = { version: held.fileVersion, length: held.payloadLength, digest: held.payloadDigest };
      activateTrial(this.runtime.ports, this.host.layout(), image, this.trialOptions);
    } catch (e) {
      const err = asOtaError(e, AgentError.activationFailed);
      this.runtime.note(err);
      this.runtime.guard(AgentError.journalWrite, () =>
        recordArmed(Journal.open(this.runtime.ports.flash, this.host.layout()), undefined),
      );
      this.host.enqueue({ type: 'trial-armed-failed', code: err.code });
      // A flash write can fail once and work the next time: try again a few times, each attempt reported.
      if (++this.armFailures <= ARM_RETRIES) {
        this.runtime.setTimer(this.policy.recheckMs, () => {
          if (this.host.ctx.state === 'awaiting-activation') this.tryActivate();
        });
      }
      return;
    }
    this.restart();
  }

  /** Restarts; when the port refuses, tries again after `recheckMs`. */
  restart(): void {
    try {
      this.runtime.ports.boot.restart();
    } catch (e) {
      // Still running: try again later (the watchdog is the backstop on a trial).
      this.runtime.note(asOtaError(e, AgentError.restartFailed));
      this.runtime.setTimer(this.policy.recheckMs, () => this.restart());
    }
  }
}
