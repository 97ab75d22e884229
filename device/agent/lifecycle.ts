/**
 * The agent's lifecycle as one explicit state table (docs/AGENT.md renders the same
 * rows; a test keeps the two identical). `step` is pure: it takes the state and an event
 * and returns the next state and the actions for the executor, which does the I/O
 * (download, verification, boot record, restart, reports) and feeds results back as
 * events. Every event not in the table for a state is ignored and counted, never thrown.
 *
 * boot check → idle → download → verify → wait for activation → activate (trial boot)
 *   → self-test → confirm, or revert.
 */
import type { OtaErrorCode } from '../errors.js';
import { UpgradeStatus } from '../zigbee/index.js';
import { AgentError } from './agent-errors.js';
import {
  type AgentAction,
  type AgentContext,
  type AgentEvent,
  type AgentState,
  AlertCode,
} from './lifecycle-events.js';

// The vocabulary (states, events, actions, context) lives in lifecycle-events.ts; re-exported so
// every existing import of './lifecycle.js' keeps working.
export {
  type AgentAction,
  type AgentContext,
  type AgentEvent,
  type AgentState,
  AlertCode,
  initialContext,
} from './lifecycle-events.js';

type EventType = AgentEvent['type'];
type EventOf<K extends EventType> = Extract<AgentEvent, { type: K }>;

/** One row: in state `from`, on event `on` (and when `when` holds), go to `to` after `update`, doing `actions`. */
interface Row<K extends EventType = EventType> {
  from: AgentState;
  on: K;
  /** Condition written as text for the table; `when` decides. */
  guard?: string;
  when?: (ctx: AgentContext, e: EventOf<K>) => boolean;
  to: AgentState;
  /** What the row changes in the context besides the state; applied before `actions`. */
  update?: (ctx: AgentContext, e: EventOf<K>) => void;
  actions: (ctx: AgentContext, e: EventOf<K>) => AgentAction[];
  /** What the row does, for the table. */
  doText: string;
}

/** Keys a row by its event, so `when`, `update` and `actions` see that event's fields. */
function row<K extends EventType>(r: Row<K>): Row {
  return r as unknown as Row;
}

const status = (s: number): AgentAction => ({ do: 'report', report: { kind: 'upgrade-status', status: s } });
/** The supplier-visible refusal of an image (0x8F1C) carrying the code that says why. */
const verificationFailed = (errorCode: OtaErrorCode): AgentAction => ({
  do: 'report',
  report: { kind: 'verification', alertCode: AlertCode.verificationFailed, errorCode },
});
/** The image the agent held (or was fetching) is no longer one to activate. */
const dropHeld = (c: AgentContext): void => {
  c.held = undefined;
};

/** The lifecycle, one row per (state, event, guard). Rows are tried in order. */
export const LIFECYCLE_TABLE: readonly Row[] = [
  row({
    from: 'boot-check',
    on: 'booted',
    guard: 'trial boot of a new image',
    when: (_c, e) => e.trial,
    to: 'trial-self-test',
    update: (c, e) => {
      c.runningVersion = e.runningVersion;
    },
    actions: () => [{ do: 'run-self-test' }],
    doText: 'run the self-test (with its deadline)',
  }),
  row({
    from: 'boot-check',
    on: 'booted',
    guard: 'the bootloader reverted a trial',
    when: (_c, e) => e.reverted,
    to: 'idle',
    update: (c, e) => {
      c.runningVersion = e.runningVersion;
      c.held = undefined;
    },
    actions: (c, e) => [
      { do: 'report', report: { kind: 'activation', success: false, version: e.runningVersion } },
      { do: 'report', report: { kind: 'firmware-version', version: c.runningVersion } },
      status(UpgradeStatus.normal),
    ],
    doText: 'report activation failure with the running (old) version; report firmware version',
  }),
  row({
    from: 'boot-check',
    on: 'booted',
    guard: 'a confirmed trial not yet reported',
    when: (_c, e) => e.confirmedUnreported === true && e.runningImageOk,
    to: 'idle',
    update: (c, e) => {
      c.runningVersion = e.runningVersion;
      c.held = undefined;
    },
    actions: (c) => [
      { do: 'report', report: { kind: 'activation', success: true, version: c.runningVersion } },
      { do: 'report', report: { kind: 'firmware-version', version: c.runningVersion } },
      status(UpgradeStatus.normal),
    ],
    doText: 'report activation success with the running (new) version; report firmware version',
  }),
  row({
    from: 'boot-check',
    on: 'booted',
    guard: 'running image fails its check',
    when: (_c, e) => !e.runningImageOk,
    to: 'idle',
    update: (c, e) => {
      c.runningVersion = e.runningVersion;
      c.held = undefined;
    },
    actions: (c) => [
      {
        do: 'report',
        report: {
          kind: 'verification',
          alertCode: AlertCode.verificationFailedAtPowerOn,
          errorCode: AgentError.bootImageCheck,
        },
      },
      { do: 'report', report: { kind: 'firmware-version', version: c.runningVersion } },
    ],
    doText: 'raise 0x8F1B (verification failed at power-on); report firmware version',
  }),
  row({
    from: 'boot-check',
    on: 'booted',
    to: 'idle',
    update: (c, e) => {
      c.runningVersion = e.runningVersion;
      c.held = undefined;
    },
    actions: (c) => [
      { do: 'report', report: { kind: 'firmware-version', version: c.runningVersion } },
      status(UpgradeStatus.normal),
    ],
    doText: 'report firmware version',
  }),
  row({
    from: 'trial-self-test',
    on: 'self-test-passed',
    to: 'trial-self-test',
    actions: () => [{ do: 'confirm' }],
    doText: 'confirm (boot record: confirmed + new floor, one write)',
  }),
  row({
    from: 'trial-self-test',
    on: 'confirmed',
    to: 'idle',
    update: dropHeld,
    actions: (c) => [
      { do: 'report', report: { kind: 'activation', success: true, version: c.runningVersion } },
      { do: 'report', report: { kind: 'firmware-version', version: c.runningVersion } },
      status(UpgradeStatus.normal),
    ],
    doText: 'report activation success with the new version; report firmware version',
  }),
  row({
    from: 'trial-self-test',
    on: 'confirm-failed',
    to: 'trial-self-test',
    actions: () => [{ do: 'restart' }],
    doText: 'restart unconfirmed: the bootloader reverts',
  }),
  row({
    from: 'trial-self-test',
    on: 'self-test-failed',
    to: 'trial-self-test',
    actions: () => [{ do: 'restart' }],
    doText: 'restart unconfirmed: the bootloader reverts',
  }),
  row({
    from: 'idle',
    on: 'image-offered',
    to: 'downloading',
    actions: () => [{ do: 'start-download' }, status(UpgradeStatus.downloadInProgress)],
    doText: 'download (manifest verified before the first erase)',
  }),
  row({
    from: 'downloading',
    on: 'download-complete',
    to: 'verifying',
    actions: () => [{ do: 'finish-verification' }, status(UpgradeStatus.downloadComplete)],
    doText: 'check payload digest and supplier signature',
  }),
  row({
    from: 'downloading',
    on: 'download-failed',
    guard: 'the image was refused',
    when: (_c, e) => e.refused === true,
    to: 'idle',
    update: dropHeld,
    actions: (_c, e) => [verificationFailed(e.code), status(UpgradeStatus.normal)],
    doText: 'raise 0x8F1C with the error code; keep the running image',
  }),
  row({
    from: 'downloading',
    on: 'download-failed',
    guard: 'a local fault persisted (bounded attempts)',
    when: (_c, e) => e.gaveUp === true,
    to: 'idle',
    update: dropHeld,
    actions: (_c, e) => [verificationFailed(e.code), status(UpgradeStatus.normal)],
    doText: 'raise 0x8F1C with the storage code; give the image up until a new offer or a reboot',
  }),
  row({
    from: 'downloading',
    on: 'download-failed',
    to: 'idle',
    update: dropHeld,
    actions: () => [status(UpgradeStatus.normal)],
    doText: 'link or local failure: keep the progress, query again later',
  }),
  row({
    from: 'idle',
    on: 'download-failed',
    guard: 'a local fault persisted (bounded attempts)',
    when: (_c, e) => e.gaveUp === true,
    to: 'idle',
    update: dropHeld,
    actions: (_c, e) => [verificationFailed(e.code)],
    doText: 'raise 0x8F1C with the storage code (the fault struck before the download began)',
  }),
  row({
    from: 'verifying',
    on: 'verified',
    to: 'awaiting-activation',
    update: (c, e) => {
      c.held = e.held;
    },
    actions: () => [
      { do: 'report', report: { kind: 'verification', alertCode: AlertCode.verificationSucceeded, errorCode: 'OK' } },
      status(UpgradeStatus.waitingToUpgrade),
    ],
    doText: 'raise 0x8F72; hold the image; wait for the Upgrade End Response',
  }),
  row({
    from: 'verifying',
    on: 'verify-failed',
    to: 'idle',
    update: dropHeld,
    actions: (_c, e) => [{ do: 'discard-download' }, verificationFailed(e.code), status(UpgradeStatus.normal)],
    doText: 'discard; raise 0x8F1C with the error code',
  }),
  row({
    from: 'awaiting-activation',
    on: 'upgrade-end',
    guard: 'upgrade time 0 or past',
    when: (_c, e) => e.trigger.kind === 'now',
    to: 'awaiting-activation',
    actions: () => [{ do: 'try-activate' }],
    doText: 'try to activate now',
  }),
  row({
    from: 'awaiting-activation',
    on: 'upgrade-end',
    guard: 'upgrade time in the future',
    when: (_c, e) => e.trigger.kind === 'after',
    to: 'awaiting-activation',
    actions: (_c, e) => [
      { do: 'schedule-activation', delayMs: e.trigger.kind === 'after' ? e.trigger.delayMs : 0 },
      status(UpgradeStatus.countDown),
    ],
    doText: 'count down (upgrade time - current time), then try to activate',
  }),
  row({
    from: 'awaiting-activation',
    on: 'upgrade-end',
    guard: 'upgrade time 0xFFFFFFFF',
    to: 'awaiting-activation',
    actions: () => [status(UpgradeStatus.waitingForExternalEvent)],
    doText: 'wait for an explicit activation command (CS06)',
  }),
  row({
    from: 'awaiting-activation',
    on: 'activation-accepted',
    to: 'awaiting-activation',
    actions: () => [{ do: 'try-activate' }],
    doText: 'try to activate now',
  }),
  row({
    from: 'awaiting-activation',
    on: 'activation-due',
    to: 'activating',
    update: (c) => {
      c.activationPending = false;
    },
    actions: () => [{ do: 'arm-trial-and-restart' }],
    doText: 'write the boot record (trial of the new bank) and restart',
  }),
  row({
    from: 'awaiting-activation',
    on: 'power-insufficient',
    to: 'awaiting-activation',
    update: (c) => {
      c.activationPending = true;
    },
    actions: () => [
      { do: 'report', report: { kind: 'activation-deferred', reason: 'battery below the activation level' } },
    ],
    doText: 'report the deferral; try again when the power recovers',
  }),
  row({
    from: 'awaiting-activation',
    on: 'held-image-refused',
    to: 'idle',
    update: (c) => {
      c.held = undefined;
      c.activationPending = false;
    },
    actions: (_c, e) => [{ do: 'discard-download' }, verificationFailed(e.code), status(UpgradeStatus.normal)],
    doText: 'credentials replaced: discard the held image; raise 0x8F1C with the error code',
  }),
  row({
    from: 'activating',
    on: 'trial-armed-failed',
    to: 'awaiting-activation',
    actions: (c) => [{ do: 'report', report: { kind: 'activation', success: false, version: c.runningVersion } }],
    doText: 'report activation failure with the running version; keep holding the image',
  }),
];

/** Applies one event. Returns the actions to perform, in order; mutates `ctx`. */
export function step(ctx: AgentContext, event: AgentEvent): AgentAction[] {
  for (const r of LIFECYCLE_TABLE) {
    if (r.from !== ctx.state || r.on !== event.type) continue;
    if (r.when && !r.when(ctx, event)) continue;
    r.update?.(ctx, event);
    const actions = r.actions(ctx, event);
    ctx.state = r.to;
    return actions;
  }
  ctx.ignored++;
  return [];
}

/** The table as Markdown rows (docs/AGENT.md carries exactly these). */
export function lifecycleTableMarkdown(): string {
  const lines = ['| state | event | condition | next state | what the agent does |', '| --- | --- | --- | --- | --- |'];
  for (const r of LIFECYCLE_TABLE) {
    lines.push(`| ${r.from} | ${r.on} | ${r.guard ?? ''} | ${r.to} | ${r.doText} |`);
  }
  return lines.join('\n');
}
