/** The lifecycle table: paths through it, and docs/AGENT.md carrying exactly its rows. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  initialContext,
  lifecycleTableMarkdown,
  step,
  type AgentAction,
  type AgentContext,
  type AgentEvent,
} from '../../device/agent/lifecycle.js';

const held = { fileVersion: 2, manufacturerImageHash: new Uint8Array(32) };

function run(
  events: AgentEvent[],
  ctx: AgentContext = initialContext(),
): { ctx: AgentContext; actions: AgentAction[] } {
  const actions: AgentAction[] = [];
  for (const e of events) actions.push(...step(ctx, e));
  return { ctx, actions };
}

const did = (actions: AgentAction[]) => actions.filter((a) => a.do !== 'report').map((a) => a.do);
const reports = (actions: AgentAction[]) =>
  actions.flatMap((a) => (a.do === 'report' && a.report.kind !== 'upgrade-status' ? [a.report] : []));

describe('agent lifecycle', () => {
  it('a normal update: download, verify, count down, activate into a trial', () => {
    const { ctx, actions } = run([
      { type: 'booted', trial: false, reverted: false, runningImageOk: true, runningVersion: 1 },
      { type: 'image-offered' },
      { type: 'download-complete' },
      { type: 'verified', held },
      { type: 'upgrade-end', trigger: { kind: 'after', delayMs: 5000 } },
      { type: 'activation-due' },
    ]);
    expect(ctx.state).toBe('activating');
    expect(did(actions)).toEqual([
      'start-download',
      'finish-verification',
      'schedule-activation',
      'arm-trial-and-restart',
    ]);
    expect(reports(actions)).toEqual([
      { kind: 'firmware-version', version: 1 },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
    ]);
  });

  it('the trial boot confirms after the self-test and reports success with the new version', () => {
    const { ctx, actions } = run([
      { type: 'booted', trial: true, reverted: false, runningImageOk: true, runningVersion: 2 },
      { type: 'self-test-passed' },
      { type: 'confirmed' },
    ]);
    expect(ctx.state).toBe('idle');
    expect(did(actions)).toEqual(['run-self-test', 'confirm']);
    expect(reports(actions)).toEqual([
      { kind: 'activation', success: true, version: 2 },
      { kind: 'firmware-version', version: 2 },
    ]);
  });

  it('a failed self-test restarts unconfirmed; the revert is reported with the old version', () => {
    const first = run([
      { type: 'booted', trial: true, reverted: false, runningImageOk: true, runningVersion: 2 },
      { type: 'self-test-failed', reason: 'radio' },
    ]);
    expect(did(first.actions)).toEqual(['run-self-test', 'restart']);
    const after = run([
      { type: 'booted', trial: false, reverted: true, runningImageOk: true, runningVersion: 1, revertedVersion: 2 },
    ]);
    expect(reports(after.actions)).toEqual([
      { kind: 'activation', success: false, version: 1 },
      { kind: 'firmware-version', version: 1 },
    ]);
  });

  it('waits for an explicit command on 0xFFFFFFFF, and defers on low power until it recovers', () => {
    const { ctx, actions } = run([
      { type: 'booted', trial: false, reverted: false, runningImageOk: true, runningVersion: 1 },
      { type: 'image-offered' },
      { type: 'download-complete' },
      { type: 'verified', held },
      { type: 'upgrade-end', trigger: { kind: 'command' } },
      { type: 'activation-accepted' },
      { type: 'power-insufficient' },
    ]);
    expect(ctx.state).toBe('awaiting-activation');
    expect(ctx.activationPending).toBe(true);
    expect(reports(actions).at(-1)).toEqual({
      kind: 'activation-deferred',
      reason: 'battery below the activation level',
    });
    const more = step(ctx, { type: 'activation-due' });
    expect(did(more)).toEqual(['arm-trial-and-restart']);
    expect(ctx.activationPending).toBe(false);
  });

  it('a refused image is discarded, reported with its code, and the running image kept', () => {
    const { ctx, actions } = run([
      { type: 'booted', trial: false, reverted: false, runningImageOk: true, runningVersion: 1 },
      { type: 'image-offered' },
      { type: 'download-complete' },
      { type: 'verify-failed', code: 'IMG_SUPPLIER_SIGNATURE' },
    ]);
    expect(ctx.state).toBe('idle');
    expect(ctx.held).toBeUndefined();
    expect(did(actions)).toContain('discard-download');
    expect(reports(actions).at(-1)).toEqual({
      kind: 'verification',
      alertCode: 0x8f1c,
      errorCode: 'IMG_SUPPLIER_SIGNATURE',
    });
  });

  it('a download that fails on the link or locally raises no alert; an image refusal raises 0x8F1C', () => {
    const offered: AgentEvent[] = [
      { type: 'booted', trial: false, reverted: false, runningImageOk: true, runningVersion: 1 },
      { type: 'image-offered' },
    ];
    const link = run([...offered, { type: 'download-failed', code: 'OTA_TOO_MANY_ERRORS' }]);
    expect(link.ctx.state).toBe('idle');
    expect(reports(link.actions)).toEqual([{ kind: 'firmware-version', version: 1 }]);
    const refused = run([...offered, { type: 'download-failed', code: 'IMG_HW_VERSION', refused: true }]);
    expect(reports(refused.actions).at(-1)).toEqual({
      kind: 'verification',
      alertCode: 0x8f1c,
      errorCode: 'IMG_HW_VERSION',
    });
  });

  it('a confirmation whose report a cut swallowed is reported at the next boot, with the new version', () => {
    const { ctx, actions } = run([
      {
        type: 'booted',
        trial: false,
        reverted: false,
        runningImageOk: true,
        runningVersion: 2,
        confirmedUnreported: true,
      },
    ]);
    expect(ctx.state).toBe('idle');
    expect(reports(actions)).toEqual([
      { kind: 'activation', success: true, version: 2 },
      { kind: 'firmware-version', version: 2 },
    ]);
  });

  it('raises 0x8F1B when the running image fails its power-on check', () => {
    const { actions } = run([
      { type: 'booted', trial: false, reverted: false, runningImageOk: false, runningVersion: 1 },
    ]);
    expect(reports(actions)[0]).toEqual({ kind: 'verification', alertCode: 0x8f1b, errorCode: 'BOOT_IMAGE_CHECK' });
  });

  it('ignores (and counts) events with no row, never throws', () => {
    const ctx = initialContext();
    expect(step(ctx, { type: 'activation-due' })).toEqual([]);
    expect(step(ctx, { type: 'self-test-passed' })).toEqual([]);
    expect(ctx.ignored).toBe(2);
    expect(ctx.state).toBe('boot-check');
  });

  it('docs/AGENT.md carries exactly the table the code runs', () => {
    const doc = readFileSync('docs/AGENT.md', 'utf8');
    expect(doc).toContain(lifecycleTableMarkdown());
  });
});
