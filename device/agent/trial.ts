/**
 * The trial boot of a new image: the self-test (the default checks, then the vendor's,
 * within a deadline below the trial watchdog), then the confirmation (boot record:
 * confirmed and the new rollback floor, one write). A trial that is not confirmed is
 * restarted, and the bootloader reverts it.
 */
import { asOtaError } from '../errors.js';
import { confirmTrial, type StorageLayout } from '../storage/index.js';
import { AgentError } from './agent-errors.js';
import type { AgentRuntime } from './agent-runtime.js';
import { radioRejoined, storageReadable, trustStoreIntact } from './default-checks.js';
import type { AgentEvent } from './lifecycle.js';
import type { TrustStore } from '../pki/index.js';
import { runSelfTest, type SelfTestCheck } from './self-test.js';

/** Below the boot record's default trial window (600 s), so the agent decides before the watchdog does. */
const DEFAULT_SELF_TEST_MS = 300_000;
/** How often the radio check looks for a server frame by default. */
const DEFAULT_RADIO_POLL_MS = 1000;

export interface SelfTestConfig {
  /** The vendor's checks, run after the default ones. */
  vendor?: SelfTestCheck[];
  /** The whole self-test must pass within this (default 300 s; below the trial watchdog). */
  deadlineMs?: number;
  /** How often the radio check looks for a server frame (default 1 s). */
  radioPollMs?: number;
}

export interface TrialSetup {
  layout: StorageLayout;
  trust: TrustStore;
  selfTest: SelfTestConfig;
  /** ZCL frames from the server since this boot (the radio check). */
  framesSinceBoot(): number;
  /** Sends one request the server answers (the radio check's prompt). */
  ping(): void;
}

/** Runs the self-test; `done` gets the lifecycle event of its result. */
export function selfTestTrial(runtime: AgentRuntime, setup: TrialSetup, done: (event: AgentEvent) => void): void {
  const ports = runtime.ports;
  const options = setup.selfTest;
  const checks: SelfTestCheck[] = [
    storageReadable(ports, setup.layout),
    trustStoreIntact(setup.trust),
    radioRejoined(ports.clock, setup.framesSinceBoot, options.radioPollMs ?? DEFAULT_RADIO_POLL_MS, setup.ping),
    ...(options.vendor ?? []),
  ];
  runSelfTest(ports.clock, checks, options.deadlineMs ?? DEFAULT_SELF_TEST_MS, (result) => {
    done(result.ok ? { type: 'self-test-passed' } : { type: 'self-test-failed', reason: result.reason });
  });
}

/** Writes the boot record as confirmed; the event says whether it was. */
export function confirmRunningTrial(runtime: AgentRuntime, layout: StorageLayout, runningVersion: number): AgentEvent {
  try {
    confirmTrial(runtime.ports, layout);
  } catch (e) {
    const err = asOtaError(e, AgentError.confirmFailed);
    runtime.note(err);
    return { type: 'confirm-failed', code: err.code };
  }
  runtime.phase('confirmed', `version 0x${runningVersion.toString(16)}`);
  return { type: 'confirmed' };
}
