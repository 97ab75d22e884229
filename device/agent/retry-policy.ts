/**
 * How often, and how soon, the agent tries one image again after a download failed for a
 * reason that may pass, and when it stops. One policy object, one tracker, for two kinds
 * of failure that both outlive a single attempt but must not outlive their cause:
 *
 * - `local`: a local operation failed (a sector that will not erase, a program that does
 *   not read back, a bank that does not re-read to its digest, a journal that cannot be
 *   written). A worn part fails at the same place every time; a passing glitch does not.
 *   So only consecutive failures at the same place count (file offsets within
 *   `sameFaultSpan` bytes of the previous failure: a resume redoes up to a sector, and
 *   where a block boundary falls in a 256-byte program piece shifts by a few bytes); a
 *   failure elsewhere starts the count again. After `localAttempts` such failures the
 *   image is given up until a new offer or a reboot, and reported once.
 * - `transfer`: the bytes received did not match an authentic manifest (payload digest,
 *   malformed GBCS trailer). The image is not bad: a server mixed up its files. The next
 *   offer is downloaded again from the start, after a back-off; after `transferAttempts`
 *   such downloads the image is refused for the boot.
 *
 * Everything else is decided elsewhere: an image refusal (signature, chain, policy,
 * manifest) refuses the image for the boot at once; a link failure (timeouts, a server
 * abort) keeps the progress and is retried at the next query, without a bound, because
 * it costs no flash and the client already backs off.
 *
 * Pure and RAM-bounded: one tracked image at a time (a different image starts afresh).
 */
import type { ImageIdentity } from './image-sink.js';
import { SinkError } from './agent-errors.js';
import { ImageError } from '../image/index.js';
import { StorageError } from '../storage/index.js';
import type { OtaError, OtaErrorCode } from '../errors.js';

export interface RetryPolicy {
  /** Failures of a local operation, without progress in between, before the image is given up (≥ 1). */
  localAttempts: number;
  /** Two local failures whose file offsets differ by at most this many bytes are the same fault. */
  sameFaultSpan: number;
  /** Downloads of one image whose bytes missed its authentic manifest, before it is refused for the boot (≥ 1). */
  transferAttempts: number;
  /** No new attempt of the image before this long after a counted failure; doubles with each one. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  localAttempts: 3,
  sameFaultSpan: 512,
  transferAttempts: 3,
  backoffBaseMs: 5 * 60_000,
  backoffMaxMs: 4 * 3600_000,
};

export type FailureKind = 'local' | 'transfer';

/** What to do after a counted failure. */
export interface RetryDecision {
  /** Attempts of this kind so far (this one included). */
  attempt: number;
  /** Stop: the image is given up (local) or refused (transfer) until a new offer or a reboot. */
  giveUp: boolean;
  /** The image is not begun again before this monotonic time. */
  notBeforeMs: number;
}

/**
 * Stable codes of failures that are the device's own (storage, journal, a sink port), as
 * opposed to the image's (IMG_* refusals) or the link's (OTA_*, ZCL_*).
 */
const LOCAL_FAULT_PREFIXES = ['STORAGE_', 'JOURNAL_'] as const;
// SINK_RESUME_CORRUPT: bytes the bank held for a resume no longer hash to the manifest (they changed at rest).
const LOCAL_FAULT_CODES = [
  SinkError.failed,
  SinkError.resumeCorrupt,
  ImageError.sink,
  ImageError.internal,
  StorageError.bootRecordCorrupt,
] as const;
/** Not faults: a trial holds the other bank (it passes by itself). */
const NOT_FAULTS = [StorageError.trialPending] as const;

/** Codes that mean "the bytes I received do not match the authentic manifest", not "the image is bad". */
export const TRANSFER_MISMATCH_CODES = [ImageError.payloadDigest, ImageError.trailer] as const;

export function failureKind(code: string): FailureKind | undefined {
  if ((TRANSFER_MISMATCH_CODES as readonly string[]).includes(code)) return 'transfer';
  if ((NOT_FAULTS as readonly string[]).includes(code)) return undefined;
  if ((LOCAL_FAULT_CODES as readonly string[]).includes(code)) return 'local';
  for (const p of LOCAL_FAULT_PREFIXES) if (code.startsWith(p)) return 'local';
  return undefined;
}

function sameImage(a: ImageIdentity, b: ImageIdentity): boolean {
  return (
    a.manufacturerCode === b.manufacturerCode &&
    a.imageType === b.imageType &&
    a.fileVersion === b.fileVersion &&
    a.imageSize === b.imageSize
  );
}

export function checkRetryPolicy(p: RetryPolicy): void {
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (
    !ok(p.localAttempts, 1) ||
    !ok(p.sameFaultSpan, 0) ||
    !ok(p.transferAttempts, 1) ||
    !ok(p.backoffBaseMs, 0) ||
    !ok(p.backoffMaxMs, p.backoffBaseMs)
  ) {
    throw new RangeError('retry policy: attempts must be integers ≥ 1, back-off integers with base ≤ max');
  }
}

export class RetryTracker {
  private image: ImageIdentity | undefined;
  private local = 0;
  private transfer = 0;
  /** File offset of the last local failure of this image (a failure elsewhere restarts the count). */
  private lastAt = -Infinity;
  private notBefore = -Infinity;

  constructor(readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY) {
    checkRetryPolicy(policy);
  }

  /** Counts one failure of `image` at file offset `offset`, seen at monotonic time `nowMs`. */
  fail(image: ImageIdentity, kind: FailureKind, offset: number, nowMs: number): RetryDecision {
    this.track(image);
    let attempt: number;
    let limit: number;
    if (kind === 'local') {
      // A failure elsewhere is a new fault (a glitch, then another), not the same one again.
      if (Math.abs(offset - this.lastAt) > this.policy.sameFaultSpan) this.local = 0;
      this.lastAt = offset;
      attempt = ++this.local;
      limit = this.policy.localAttempts;
    } else {
      attempt = ++this.transfer;
      limit = this.policy.transferAttempts;
    }
    const p = this.policy;
    const wait = Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** Math.min(attempt - 1, 20));
    this.notBefore = nowMs + wait;
    return { attempt, giveUp: attempt >= limit, notBeforeMs: this.notBefore };
  }

  /** Milliseconds before `image` may be begun again (0: now). */
  waitFor(image: ImageIdentity, nowMs: number): number {
    if (!this.image || !sameImage(this.image, image)) return 0;
    return Math.max(0, this.notBefore - nowMs);
  }

  /** The image was held (downloaded and verified): its count is over. */
  succeeded(image: ImageIdentity): void {
    if (this.image && sameImage(this.image, image)) this.image = undefined;
  }

  private track(image: ImageIdentity): void {
    if (this.image && sameImage(this.image, image)) return;
    this.image = { ...image };
    this.local = 0;
    this.transfer = 0;
    this.lastAt = -Infinity;
    this.notBefore = -Infinity;
  }
}

/** Codes of the image session that mean a local failure under it (a port threw), not a bad image. */
const LOCAL_IMAGE_CODES: readonly OtaErrorCode[] = [ImageError.internal, ImageError.sink];

/** Image refusals (the image is bad) as opposed to local failures (flash, journal, ports). */
export function isImageRefusal(e: OtaError): boolean {
  if (LOCAL_IMAGE_CODES.includes(e.code)) return false;
  return e.code.startsWith('IMG_') || e.code === StorageError.refused || e.code === StorageError.belowFloor;
}
