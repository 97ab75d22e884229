/**
 * The lifecycle's vocabulary: its states, the events the executor feeds in, the actions the
 * table asks for, and the context `step` carries between events. Kept apart from the table
 * (lifecycle.ts) so the executor's modules can name these without pulling in the rows.
 */
import type { OtaErrorCode } from '../errors.js';
import type { Report } from '../ports.js';
import type { ActivationTrigger, HeldImage } from './activation.js';

export type AgentState =
  | 'boot-check'
  | 'trial-self-test'
  | 'idle'
  | 'downloading'
  | 'verifying'
  | 'awaiting-activation'
  | 'activating';

/** GBCS alert codes the lifecycle raises (REFERENCE.md §3). */
export const AlertCode = {
  verificationFailedAtPowerOn: 0x8f1b,
  verificationFailed: 0x8f1c,
  verificationSucceeded: 0x8f72,
} as const;

export type AgentEvent =
  /** Power-on: what the bootloader did and whether the running image still verifies. */
  | {
      type: 'booted';
      trial: boolean;
      reverted: boolean;
      runningImageOk: boolean;
      runningVersion: number;
      revertedVersion?: number;
      /** A trial was confirmed but its success never reported (a cut between the two): report it now. */
      confirmedUnreported?: boolean;
    }
  | { type: 'image-offered' }
  | { type: 'download-complete' }
  /**
   * `refused`: the image was refused (verification), or its bytes missed the authentic manifest;
   * `gaveUp`: a local fault persisted (retry-policy.ts) and the image is given up until a new offer or a reboot;
   * neither: a link or local failure to retry.
   */
  | { type: 'download-failed'; code: OtaErrorCode; refused?: boolean; gaveUp?: boolean }
  | { type: 'verified'; held: HeldImage }
  | { type: 'verify-failed'; code: OtaErrorCode }
  /** Upgrade End Response (solicited or not), already read into a trigger. */
  | { type: 'upgrade-end'; trigger: ActivationTrigger }
  /** An explicit activation command that `decideActivationCommand` accepted. */
  | { type: 'activation-accepted' }
  /** The activation time arrived (timer), or the power recovered while activation was due. */
  | { type: 'activation-due' }
  | { type: 'power-insufficient' }
  | { type: 'trial-armed-failed'; code: OtaErrorCode }
  | { type: 'self-test-passed' }
  | { type: 'self-test-failed'; reason: string }
  | { type: 'confirmed' }
  | { type: 'confirm-failed'; code: OtaErrorCode }
  /** The credentials changed and no Supplier cell in force authorises the held image any more (credential-update.ts). */
  | { type: 'held-image-refused'; code: OtaErrorCode };

export type AgentAction =
  | { do: 'report'; report: Report }
  | { do: 'start-download' }
  | { do: 'finish-verification' }
  | { do: 'schedule-activation'; delayMs: number }
  /** Check the power policy; the executor answers 'activation-due' or 'power-insufficient'. */
  | { do: 'try-activate' }
  /** Write the boot record (trial of the new bank) and restart. */
  | { do: 'arm-trial-and-restart' }
  | { do: 'run-self-test' }
  /** Write the boot record: confirmed, new rollback floor (one write). */
  | { do: 'confirm' }
  /** Restart without confirming, so the bootloader reverts the trial. */
  | { do: 'restart' }
  | { do: 'discard-download' };

export interface AgentContext {
  state: AgentState;
  runningVersion: number;
  held: HeldImage | undefined;
  /** An activation is wanted (its time came or a command accepted it) but the power held it back: the executor tries again when the power recovers. */
  activationPending: boolean;
  /** Events that had no row for the state they arrived in. */
  ignored: number;
}

export function initialContext(): AgentContext {
  return { state: 'boot-check', runningVersion: 0, held: undefined, activationPending: false, ignored: 0 };
}
