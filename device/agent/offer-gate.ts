/**
 * Which offers are fetched, and what a finished download means to the lifecycle. An offer
 * refused this boot (or given up after a persistent local fault) is not fetched again
 * every query interval, nor reported again; an image whose last download failed waits out
 * its back-off (retry-policy.ts). The gate wraps the update sink the OTA client sees.
 */
import { OtaError } from '../errors.js';
import { OtaStatus } from '../zigbee/index.js';
import { AgentError } from './agent-errors.js';
import type { ActivationTrigger } from './activation.js';
import type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from './image-sink.js';
import type { AgentEvent } from './lifecycle.js';
import type { DownloadOutcome } from './ota-client-io.js';
import {
  DEFAULT_RETRY_POLICY,
  failureKind,
  isImageRefusal,
  RetryTracker,
  type FailureKind,
  type RetryPolicy,
} from './retry-policy.js';
import type { UpdateSink } from './update-sink.js';

/** Offers remembered as refused this boot (bounded). */
const REFUSED_OFFERS = 4;

function sameOffer(a: ImageIdentity, b: ImageIdentity): boolean {
  return (
    a.manufacturerCode === b.manufacturerCode &&
    a.imageType === b.imageType &&
    a.fileVersion === b.fileVersion &&
    a.imageSize === b.imageSize
  );
}

/** What the gate tells the agent while the OTA client uses the sink. */
export interface GateHooks {
  nowMs(): number;
  /** An offer was taken: the download begins (or resumes). */
  offered(): void;
  /** A block is about to be written. */
  writing(): void;
}

export class OfferGate {
  /** Offers whose image was refused (or given up after a persistent local fault) this boot. */
  private readonly refusedOffers: ImageIdentity[] = [];
  /** Failures that may pass (a local fault, bytes that missed the manifest): counted per image, backed off, bounded. */
  private retry = new RetryTracker(DEFAULT_RETRY_POLICY);

  /** Replaces the retry policy; throws OtaError when a value is out of range (the old one stands). */
  configure(policy: Partial<RetryPolicy> | undefined): void {
    this.retry = new RetryTracker({ ...DEFAULT_RETRY_POLICY, ...policy });
  }

  /** The sink the OTA client sees: `sink`, behind the gate. */
  wrap(sink: UpdateSink, hooks: GateHooks): ImageSink {
    return {
      capacity: () => sink.capacity(),
      begin: (image: ImageIdentity) => {
        const version = `version 0x${image.fileVersion.toString(16)}`;
        if (this.refusedOffers.some((r) => sameOffer(r, image)))
          throw new OtaError(AgentError.offerRefusedBefore, `${version} was refused this boot`);
        const wait = this.retry.waitFor(image, hooks.nowMs());
        if (wait > 0)
          throw new OtaError(AgentError.retryBackoff, `${version} is tried again in ${Math.ceil(wait / 1000)} s`);
        const offset = sink.begin(image);
        hooks.offered();
        return offset;
      },
      write: (offset: number, bytes: Uint8Array): SinkWriteResult => {
        hooks.writing();
        return sink.write(offset, bytes);
      },
      approveErase: () => sink.approveErase(),
      persist: () => sink.persist(),
      end: (): SinkEndResult => sink.end(),
    };
  }

  /**
   * The lifecycle events a finished download means. A local fault or a transfer mismatch
   * (retry-policy.ts) is counted, backed off and bounded: each transfer mismatch is
   * reported (0x8F1C with its code) and the next offer downloads the image again from the
   * start; a local fault is reported once, when the image is given up. Given up or
   * refused, the image waits for a new offer or a reboot.
   */
  finished(outcome: DownloadOutcome, where: { fileOffset(): number; nowMs(): number }): AgentEvent[] {
    if (outcome.kind === 'aborted') {
      const code = outcome.error.code;
      const kind = failureKind(code);
      if (kind) return [this.retriable(outcome.image, kind, code, where.fileOffset(), where.nowMs())];
      const refused = outcome.upgradeEndStatus === OtaStatus.invalidImage || isImageRefusal(outcome.error);
      if (refused) this.remember(outcome.image);
      return [{ type: 'download-failed', code, refused }];
    }
    this.retry.succeeded(outcome.image);
    const trigger: ActivationTrigger =
      outcome.activation === 'on-command'
        ? { kind: 'command' }
        : outcome.delayMs > 0
          ? { kind: 'after', delayMs: outcome.delayMs }
          : { kind: 'now' };
    return [{ type: 'download-complete' }, { type: 'upgrade-end', trigger }];
  }

  private retriable(
    image: ImageIdentity,
    kind: FailureKind,
    code: OtaError['code'],
    fileOffset: number,
    nowMs: number,
  ): AgentEvent {
    const decision = this.retry.fail(image, kind, fileOffset, nowMs);
    if (decision.giveUp) this.remember(image);
    if (kind === 'transfer') return { type: 'download-failed', code, refused: true };
    return { type: 'download-failed', code, gaveUp: decision.giveUp };
  }

  private remember(image: ImageIdentity): void {
    this.refusedOffers.push({ ...image });
    if (this.refusedOffers.length > REFUSED_OFFERS) this.refusedOffers.shift();
  }
}
