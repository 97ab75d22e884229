/**
 * When and whether to activate a downloaded, verified image, as a PPMID does under
 * SECMP0007. Pure decisions: the lifecycle asks, and acts on the answer.
 *
 * - Upgrade End Response: the upgrade time is honoured relative to the current time in the
 *   same frame (the server's clock, never trusted as wall time): 0 means now,
 *   0xFFFFFFFF means wait for an explicit activation command, otherwise wait
 *   (upgradeTime - currentTime) seconds from when the frame arrived, measured on the
 *   device's monotonic clock. An upgrade time already past means now.
 * - Explicit activation (CS06): refused with "no image held" when there is nothing
 *   verified to activate, with "hash mismatch" when the command's Manufacturer Image Hash
 *   is not the held image's (compared in constant time).
 * - Never on battery below the activation level: the activation waits, and the wait is
 *   reported, until the level recovers.
 */
import { ActivationResponse, type ActivationCommand, type ActivationResponseCode, type PowerSource } from '../ports.js';
import { equalBytes } from '../util/index.js';

export const UPGRADE_TIME_NOW = 0;
export const UPGRADE_TIME_WAIT_FOR_COMMAND = 0xffffffff;

export type ActivationTrigger =
  /** Activate as soon as the power allows. */
  | { kind: 'now' }
  /** Activate `delayMs` after the Upgrade End Response arrived. */
  | { kind: 'after'; delayMs: number }
  /** Hold the image until an explicit activation command names it. */
  | { kind: 'command' };

/** Reads an Upgrade End Response's two times (seconds, unsigned 32-bit, server's clock). */
export function triggerFromUpgradeEnd(currentTime: number, upgradeTime: number): ActivationTrigger {
  if (upgradeTime === UPGRADE_TIME_WAIT_FOR_COMMAND) return { kind: 'command' };
  if (upgradeTime === UPGRADE_TIME_NOW || upgradeTime <= currentTime) return { kind: 'now' };
  return { kind: 'after', delayMs: (upgradeTime - currentTime) * 1000 };
}

/** What the agent holds for activation: a downloaded image that passed every check. */
export interface HeldImage {
  fileVersion: number;
  /** SHA-256 of the Manufacturer Image, as named by CS06 commands. */
  manufacturerImageHash: Uint8Array;
}

export interface CommandDecision {
  /** The CS06 code answered at once. */
  response: ActivationResponseCode;
  /** True when the command is accepted and activation should proceed (at `atUnixSeconds` or now). */
  accept: boolean;
}

/** Answers an explicit activation command against the held image. */
export function decideActivationCommand(held: HeldImage | undefined, command: ActivationCommand): CommandDecision {
  if (!held) return { response: ActivationResponse.noImageHeld, accept: false };
  if (command.imageHash.length !== 32 || !equalBytes(command.imageHash, held.manufacturerImageHash)) {
    return { response: ActivationResponse.hashMismatch, accept: false };
  }
  return { response: ActivationResponse.success, accept: true };
}

/**
 * Whether the supply allows activating now: never while the supply warns of a brown-out,
 * never on battery below the power policy's activation level (activation writes the boot
 * record and restarts into an image that must then prove itself on the same battery).
 */
export function powerAllowsActivation(
  source: PowerSource,
  levelPercent: number,
  lowWarning: boolean,
  activatePercent: number,
): boolean {
  if (lowWarning) return false;
  return source === 'mains' || levelPercent >= activatePercent;
}
