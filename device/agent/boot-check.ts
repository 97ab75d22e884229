/**
 * The power-on check: what the bootloader did and whether the running image still
 * verifies. The boot record says whether this is a trial; the ARMED journal record says
 * whether an activation was attempted before, so a revert (or an interrupted arming, or a
 * confirmation whose report a cut swallowed) is reported exactly once it is known. The
 * running bank is hashed against its boot-record slot (and its metadata manifest, when it
 * has one) at every power-on.
 */
import { asOtaError } from '../errors.js';
import {
  acknowledgeBootEvent,
  bootEvent,
  bootStatus,
  type ImageSlot,
  Journal,
  type StorageLayout,
  StorageError,
} from '../storage/index.js';
import { AgentError } from './agent-errors.js';
import type { AgentRuntime } from './agent-runtime.js';
import { readArmed } from './held-record.js';
import { AlertCode, type AgentEvent } from './lifecycle.js';
import { runningImageMatches } from './running-image.js';

export interface BootCheckResult {
  event: Extract<AgentEvent, { type: 'booted' }>;
  /**
   * An earlier activation's outcome is known (the booted row reports it): ARMED is to be
   * cleared once it is reported, and the download forgotten when `forgetDownload`.
   */
  knownOutcome?: { forgetDownload: boolean };
}

export function checkBoot(runtime: AgentRuntime, layout: StorageLayout): BootCheckResult {
  const ports = runtime.ports;
  let status;
  try {
    status = bootStatus(ports, layout);
  } catch (e) {
    runtime.note(asOtaError(e, StorageError.bootRecordCorrupt));
    return { event: { type: 'booted', trial: false, reverted: false, runningImageOk: false, runningVersion: 0 } };
  }
  const trial = status.kind === 'trial';
  const slot: ImageSlot = status.kind === 'trial' ? status.image : status.record.confirmed;
  const runningImageOk = status.kind !== 'inconsistent' && runningImageVerifies(runtime, layout, slot);
  let armed;
  try {
    armed = readArmed(Journal.open(ports.flash, layout));
  } catch (e) {
    runtime.note(asOtaError(e, AgentError.journalRead));
  }
  const result: BootCheckResult = {
    event: { type: 'booted', trial, reverted: false, runningImageOk, runningVersion: slot.version },
  };
  const event = result.event;
  if (!trial && armed) {
    if (armed.fileVersion === slot.version) {
      event.confirmedUnreported = true;
      result.knownOutcome = { forgetDownload: true };
    } else {
      event.reverted = true;
      event.revertedVersion = armed.fileVersion;
      const refused = status.record.refused?.version === armed.fileVersion;
      // A reverted image is refused from now on: forget its download. An arming cut short keeps it, to activate again.
      result.knownOutcome = { forgetDownload: refused };
    }
  }
  if (trial) runtime.phase('trial', `version 0x${slot.version.toString(16)}`);
  if (event.reverted) runtime.phase('rolled-back', `back to 0x${slot.version.toString(16)}`);
  return result;
}

function runningImageVerifies(runtime: AgentRuntime, layout: StorageLayout, slot: ImageSlot): boolean {
  try {
    return runningImageMatches(runtime.ports, layout, slot);
  } catch (e) {
    runtime.note(asOtaError(e, AgentError.bootImageCheck));
    return false;
  }
}

/**
 * The bootloader started the fallback (the confirmed image failed its check) or rebuilt a
 * lost boot record from the banks' metadata: the supplier hears of it (0x8F1B, docs/REPORTS.md),
 * then the event is cleared; a cut in between reports it again at the next boot.
 */
export function reportBootEvent(runtime: AgentRuntime, layout: StorageLayout): void {
  let event;
  try {
    event = bootEvent(runtime.ports, layout);
  } catch {
    return; // an unreadable record is already noted by the boot check
  }
  if (!event) return;
  const errorCode = event === 'fell-back' ? AgentError.bootFellBack : AgentError.bootRecordRebuilt;
  runtime.report({ kind: 'verification', alertCode: AlertCode.verificationFailedAtPowerOn, errorCode });
  runtime.guard(AgentError.bootRecordWrite, () => acknowledgeBootEvent(runtime.ports, layout));
}
