/** The retry tracker alone: which failures count, when to stop, how long to wait. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, failureKind, RetryTracker } from '../../device/agent/retry-policy.js';
import { step, initialContext } from '../../device/agent/lifecycle.js';

const A = { manufacturerCode: 0x1234, imageType: 0x42, fileVersion: 0x20000, imageSize: 9000 };
const B = { ...A, fileVersion: 0x30000 };
const P = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 1000, backoffMaxMs: 3000 };

describe('failureKind', () => {
  it('sorts codes into transfer mismatches, local faults, and neither', () => {
    expect(['IMG_PAYLOAD_DIGEST', 'IMG_TRAILER'].map(failureKind)).toEqual(['transfer', 'transfer']);
    expect(
      [
        'STORAGE_FLASH_ERASE',
        'STORAGE_VERIFY_MISMATCH',
        'JOURNAL_FULL',
        'SINK_FAILED',
        'SINK_RESUME_CORRUPT',
        'IMG_SINK',
        'IMG_INTERNAL',
      ].map(failureKind),
    ).toEqual(Array(7).fill('local'));
    // An image refusal, a trial holding the bank, a link failure: none of them is retried under this policy.
    expect(
      [
        'IMG_SUPPLIER_SIGNATURE',
        'IMG_MANIFEST_SIGNATURE',
        'IMG_PAYLOAD_EMPTY',
        'STORAGE_TRIAL_PENDING',
        'OTA_TOO_MANY_ERRORS',
        'ZCL_TRUNCATED',
      ].map(failureKind),
    ).toEqual(Array(6).fill(undefined));
  });
});

describe('RetryTracker', () => {
  it('local faults at the same place give up at the bound; the back-off doubles up to its maximum', () => {
    const t = new RetryTracker(P);
    expect(t.fail(A, 'local', 5000, 0)).toEqual({ attempt: 1, giveUp: false, notBeforeMs: 1000 });
    expect(t.waitFor(A, 400)).toBe(600);
    expect(t.waitFor(B, 400)).toBe(0);
    expect(t.fail(A, 'local', 5003, 1000)).toEqual({ attempt: 2, giveUp: false, notBeforeMs: 3000 });
    expect(t.fail(A, 'local', 4990, 3000)).toEqual({ attempt: 3, giveUp: true, notBeforeMs: 6000 });
  });

  it('a local fault elsewhere restarts the count; so does another image', () => {
    const t = new RetryTracker(P);
    t.fail(A, 'local', 5000, 0);
    t.fail(A, 'local', 5000, 0);
    expect(t.fail(A, 'local', 5000 + P.sameFaultSpan + 1, 0).attempt).toBe(1);
    t.fail(A, 'local', 5000 + P.sameFaultSpan + 1, 0);
    expect(t.fail(B, 'local', 5000 + P.sameFaultSpan + 1, 0).attempt).toBe(1);
  });

  it('transfer mismatches count on their own, and a held image ends the count', () => {
    const t = new RetryTracker(P);
    t.fail(A, 'local', 100, 0);
    expect(t.fail(A, 'transfer', 9000, 0)).toMatchObject({ attempt: 1, giveUp: false });
    expect(t.fail(A, 'transfer', 9000, 0)).toMatchObject({ attempt: 2, giveUp: false });
    t.succeeded(A);
    expect(t.waitFor(A, 0)).toBe(0);
    expect(t.fail(A, 'transfer', 9000, 0)).toMatchObject({ attempt: 1 });
  });

  it('refuses a policy out of range', () => {
    expect(() => new RetryTracker({ ...P, localAttempts: 0 })).toThrow(RangeError);
    expect(() => new RetryTracker({ ...P, backoffMaxMs: 10 })).toThrow(RangeError);
  });
});

describe('lifecycle rows of a given-up image', () => {
  it('downloading or idle, a give-up raises 0x8F1C with the storage code; a failure not given up raises nothing', () => {
    const ctx = initialContext();
    step(ctx, { type: 'booted', trial: false, reverted: false, runningImageOk: true, runningVersion: 1 });
    step(ctx, { type: 'image-offered' });
    expect(step(ctx, { type: 'download-failed', code: 'STORAGE_FLASH_ERASE', gaveUp: false })).toEqual([
      { do: 'report', report: { kind: 'upgrade-status', status: 0 } },
    ]);
    step(ctx, { type: 'image-offered' });
    expect(step(ctx, { type: 'download-failed', code: 'STORAGE_FLASH_ERASE', gaveUp: true })).toEqual([
      { do: 'report', report: { kind: 'verification', alertCode: 0x8f1c, errorCode: 'STORAGE_FLASH_ERASE' } },
      { do: 'report', report: { kind: 'upgrade-status', status: 0 } },
    ]);
    expect(ctx.state).toBe('idle');
    expect(step(ctx, { type: 'download-failed', code: 'STORAGE_FLASH_READ', gaveUp: true })).toEqual([
      { do: 'report', report: { kind: 'verification', alertCode: 0x8f1c, errorCode: 'STORAGE_FLASH_READ' } },
    ]);
  });
});
