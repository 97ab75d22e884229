/**
 * The Zigbee OTA Upgrade client as a pure state machine: an event (a frame arrived, the
 * timer fired, a sink call returned) plus what the driver read of the world at that
 * moment (time, power, a random number) goes in; a list of actions (send a frame, arm the
 * timer, call the sink, report a status) comes out. It touches no port, so every rule is
 * tested without timers or radios; ota-driver.ts binds it to the ports.
 *
 * One timer is enough: in each state it means one thing (next query, response timeout,
 * next paced request, power re-check). Its RAM does not depend on the image size: the
 * only data held is one pending block (≤ 255 bytes) while the sink waits for approval.
 *
 * docs/OTA-CLIENT.md has the state table.
 */
import { OtaError } from '../errors.js';
import { OtaStatus, UPGRADE_TIME_WAIT_FOR_COMMAND, UpgradeStatus, WILDCARD_FILE_VERSION, WILDCARD_IMAGE_TYPE, WILDCARD_MANUFACTURER } from '../zigbee/ota-constants.js';
import { decodeOtaFrame, encodeOtaFrame, type OtaCommand } from '../zigbee/ota-frames.js';
import { checkClientConfig } from './client-config-check.js';
import type { ImageIdentity, SinkEndResult, SinkWriteResult } from './image-sink.js';
import { mayEraseOrActivate, mayResume, mayStart, mustPause, requestIntervalMs, type PowerPolicy, type PowerReading } from './power-policy.js';
import { OtaClientError } from './ota-errors.js';
import { ZclError } from '../zigbee/zigbee-errors.js';
import { SinkError } from './agent-errors.js';

export interface OtaClientConfig {
  manufacturerCode: number;
  imageType: number;
  currentFileVersion: number;
  /** Sent in Query Next Image when set, so the server can pick an image for this hardware. */
  hardwareVersion?: number;
  /** Largest OTA file the sink can take. */
  capacity: number;
  /** Maximum data size asked per Image Block Request (1..255; small keeps one frame unfragmented). */
  maxDataSize: number;
  /** Period of Query Next Image when nothing else happens. */
  queryIntervalMs: number;
  /** Longest random delay before the query that an Image Notify triggers (spreads the HAN's answers). */
  notifyDelayMaxMs: number;
  /** How long to wait for any response. Must exceed the link's round trip. */
  responseTimeoutMs: number;
  /** First retry delay after an error; doubles with each consecutive error up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive errors (timeouts, malformed or wrong answers) after which the client gives up. */
  maxErrors: number;
  /** Consecutive WAIT_FOR_DATA answers without progress after which the client gives up. */
  maxWaitForData: number;
  /** Longest wait a server may impose in one WAIT_FOR_DATA (a hostile value is clamped). */
  maxServerWaitMs: number;
}

export const DEFAULT_CLIENT_TIMING = {
  maxDataSize: 64,
  queryIntervalMs: 5 * 60_000,
  notifyDelayMaxMs: 10_000,
  responseTimeoutMs: 5_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  maxErrors: 10,
  maxWaitForData: 20,
  maxServerWaitMs: 60 * 60_000,
} as const;

/** What the driver read of the world when the event happened. */
export interface ClientContext {
  nowMs: number;
  power: PowerReading;
  /** Uniform in [0, 1). */
  random: number;
}

export type ClientEvent =
  | { kind: 'boot' }
  | { kind: 'frame'; bytes: Uint8Array }
  | { kind: 'timer' }
  | { kind: 'sink-begun'; resumeOffset: number }
  | { kind: 'sink-written'; result: SinkWriteResult }
  | { kind: 'sink-approved' }
  | { kind: 'sink-ended'; result: SinkEndResult }
  /** A sink call threw (as an OtaError: its own code, or SINK_FAILED). */
  | { kind: 'sink-failed'; error: OtaError };

/** How a download attempt ended. */
export type DownloadOutcome =
  /** `unanswered`: the server never answered the Upgrade End Request; the image is kept and activation waits to be told. */
  | { kind: 'downloaded'; image: ImageIdentity; activation: 'on-command' | 'at-delay'; delayMs: number; unanswered?: boolean }
  | { kind: 'aborted'; image: ImageIdentity; error: OtaError; upgradeEndStatus: number | undefined };

export type ClientAction =
  | { kind: 'send'; frame: Uint8Array; command: OtaCommand['name'] }
  | { kind: 'timer'; ms: number }
  | { kind: 'sink-begin'; image: ImageIdentity }
  | { kind: 'sink-write'; offset: number; data: Uint8Array }
  | { kind: 'sink-approve' }
  | { kind: 'sink-persist' }
  | { kind: 'sink-end' }
  | { kind: 'status'; status: number }
  /** A frame or answer was refused; the client goes on (counted, typed, for the log). */
  | { kind: 'refused'; error: OtaError }
  | { kind: 'paused'; reason: string }
  | { kind: 'finished'; outcome: DownloadOutcome };

export type ClientStateName = 'idle' | 'querying' | 'beginning' | 'downloading' | 'paused' | 'writing' | 'approval' | 'ending' | 'downloaded';

/** Client attributes of the OTA cluster, kept current (ZCL attribute ids in ota-constants). */
export interface OtaClientAttributes {
  fileOffset: number;
  currentFileVersion: number;
  downloadedFileVersion: number;
  imageUpgradeStatus: number;
  manufacturerId: number;
  imageTypeId: number;
  minimumBlockPeriod: number;
}

/** Sizes of a block exchange for the airtime cap: request ZCL frame, response header + data. */
const BLOCK_REQUEST_BYTES = 18;
const BLOCK_RESPONSE_OVERHEAD = 17;

export class OtaClient {
  state: ClientStateName = 'idle';
  readonly attributes: OtaClientAttributes;
  private seq: number;
  private image: ImageIdentity | undefined;
  private offset = 0;
  /** The offset the download started from this boot (tests check resumes against it). */
  startOffset = 0;
  private errors = 0;
  private waits = 0;
  private inFlight = false;
  private lastRequestAt = -Infinity;
  /** No request before this time (a backoff or a server's WAIT_FOR_DATA). */
  private notBefore = -Infinity;
  private pendingBlock: Uint8Array | undefined;
  private persistedForWarning = false;
  /** Requests sent by kind, for figures. */
  readonly sent = { query: 0, block: 0, end: 0 };

  constructor(
    readonly config: OtaClientConfig,
    readonly policy: PowerPolicy,
    initialSequence = 0,
  ) {
    checkClientConfig(config);
    this.seq = initialSequence & 0xff;
    this.attributes = {
      fileOffset: 0,
      currentFileVersion: config.currentFileVersion,
      downloadedFileVersion: WILDCARD_FILE_VERSION,
      imageUpgradeStatus: UpgradeStatus.normal,
      manufacturerId: config.manufacturerCode,
      imageTypeId: config.imageType,
      minimumBlockPeriod: 0,
    };
  }

  get currentImage(): ImageIdentity | undefined {
    return this.image;
  }

  get fileOffset(): number {
    return this.offset;
  }

  /** Handles one event. Never throws: every fault is an action or a state change. */
  handle(event: ClientEvent, ctx: ClientContext): ClientAction[] {
    const out: ClientAction[] = [];
    try {
      this.warnCheck(ctx, out);
      this.dispatch(event, ctx, out);
    } catch (e) {
      // A bug here must not escape into the platform's event loop; fail the download cleanly.
      const err = e instanceof OtaError ? e : new OtaError(OtaClientError.clientInternal, e instanceof Error ? e.message : String(e));
      out.push({ kind: 'refused', error: err });
      if (this.image) this.giveUp(ctx, out, err, OtaStatus.abort);
      else this.toIdle(out, this.config.queryIntervalMs);
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------

  private dispatch(event: ClientEvent, ctx: ClientContext, out: ClientAction[]): void {
    switch (event.kind) {
      case 'boot':
        this.toIdle(out, Math.floor(ctx.random * this.config.notifyDelayMaxMs));
        return;
      case 'timer':
        return this.onTimer(ctx, out);
      case 'frame':
        return this.onFrame(event.bytes, ctx, out);
      case 'sink-begun':
        return this.onBegun(event.resumeOffset, ctx, out);
      case 'sink-written':
        return this.onWritten(event.result, ctx, out);
      case 'sink-approved':
        return this.writePending(out);
      case 'sink-ended':
        return this.onEnded(event.result, ctx, out);
      case 'sink-failed':
        if (this.image) this.giveUp(ctx, out, event.error, OtaStatus.abort);
        return;
    }
  }

  /** A brown-out warning persists progress at once, whatever the state (once per warning). */
  private warnCheck(ctx: ClientContext, out: ClientAction[]): void {
    if (!ctx.power.lowWarning) {
      this.persistedForWarning = false;
      return;
    }
    if (this.persistedForWarning || !this.image || this.offset === 0) return;
    if (this.state === 'writing' || this.state === 'beginning') return; // a sink call is under way
    this.persistedForWarning = true;
    out.push({ kind: 'sink-persist' });
  }

  private onTimer(ctx: ClientContext, out: ClientAction[]): void {
    switch (this.state) {
      case 'idle':
        if (!mayResume(this.policy, ctx.power)) {
          // Not even a query below the resume level: answering an offer would cost energy for nothing.
          out.push({ kind: 'timer', ms: this.policy.recheckMs });
          return;
        }
        this.sendQuery(out);
        return;
      case 'querying':
        this.errors++;
        if (this.errors >= this.config.maxErrors) {
          out.push({ kind: 'refused', error: new OtaError(OtaClientError.queryNoAnswer, `no Query Next Image Response after ${this.errors} tries`) });
          this.toIdle(out, this.config.queryIntervalMs);
          return;
        }
        this.sendQuery(out);
        return;
      case 'downloading':
        if (this.inFlight) {
          this.inFlight = false;
          if (this.countError(ctx, out, new OtaError(OtaClientError.blockTimeout, `no answer for offset ${this.offset}`))) return;
          this.notBefore = ctx.nowMs + this.backoff();
        }
        this.requestOrPause(ctx, out);
        return;
      case 'paused':
        if ((this.offset === 0 ? mayStart : mayResume)(this.policy, ctx.power)) {
          this.state = 'downloading';
          this.lastRequestAt = -Infinity;
          this.notBefore = -Infinity;
          this.requestOrPause(ctx, out);
        } else out.push({ kind: 'timer', ms: this.policy.recheckMs });
        return;
      case 'approval':
        this.tryApprove(ctx, out);
        return;
      case 'ending':
        this.errors++;
        if (this.errors >= this.config.maxErrors) {
          // The image is complete and verified; the server is just not answering. Keep it and wait to be told when.
          this.finishDownloaded(out, 'on-command', 0, UpgradeStatus.waitingToUpgrade, true);
          return;
        }
        this.sendUpgradeEnd(OtaStatus.success, out);
        out.push({ kind: 'timer', ms: this.config.responseTimeoutMs + this.backoff() });
        return;
      default:
        return; // states waiting on a sink answer ignore a stray timer
    }
  }

  private onFrame(bytes: Uint8Array, ctx: ClientContext, out: ClientAction[]): void {
    let command: OtaCommand;
    let direction: number;
    try {
      const d = decodeOtaFrame(bytes);
      command = d.command;
      direction = d.header.direction;
    } catch (e) {
      const err = e instanceof OtaError ? e : new OtaError(ZclError.malformed, String(e));
      // A garbled frame while a block is awaited counts as that exchange's (bad) answer: retry after a backoff.
      if (this.state === 'downloading' && this.inFlight) this.badAnswer(ctx, out, err);
      else out.push({ kind: 'refused', error: err });
      return;
    }
    if (direction !== 1) {
      out.push({ kind: 'refused', error: new OtaError(ZclError.wrongDirection, `${command.name} sent towards a client`) });
      return;
    }
    switch (command.name) {
      case 'imageNotify':
        return this.onNotify(command, ctx, out);
      case 'queryNextImageResponse':
        if (this.state === 'querying') this.onQueryResponse(command, ctx, out);
        return;
      case 'imageBlockResponse':
        if (this.state === 'downloading') this.onBlockResponse(command, ctx, out);
        return;
      case 'upgradeEndResponse':
        if (this.state === 'ending') this.onEndResponse(command, ctx, out);
        return;
      case 'defaultResponse':
        // A server may refuse a request with a Default Response instead of the command's response.
        if (this.state === 'downloading' && this.inFlight && command.status !== OtaStatus.success) {
          this.inFlight = false;
          if (!this.countError(ctx, out, new OtaError(OtaClientError.serverRefused, `Default Response status 0x${command.status.toString(16)}`))) {
            this.notBefore = ctx.nowMs + this.backoff();
            this.requestOrPause(ctx, out);
          }
        }
        return;
      default:
        return;
    }
  }

  private onNotify(c: Extract<OtaCommand, { name: 'imageNotify' }>, ctx: ClientContext, out: ClientAction[]): void {
    if (this.state !== 'idle') return;
    // Notifies for someone else's image, or for the version already running, are dropped (ZCL 11.13.3.4).
    if (c.payloadType >= 1 && c.manufacturerCode !== WILDCARD_MANUFACTURER && c.manufacturerCode !== this.config.manufacturerCode) return;
    if (c.payloadType >= 2 && c.imageType !== WILDCARD_IMAGE_TYPE && c.imageType !== this.config.imageType) return;
    if (c.payloadType >= 3 && c.fileVersion === this.config.currentFileVersion) return;
    // Query jitter: answer with probability jitter/100, so a broadcast does not make every device answer at once.
    const draw = 1 + Math.floor(ctx.random * 100);
    if (draw > c.queryJitter) return;
    const delay = Math.floor(((ctx.random * 100) % 1) * this.config.notifyDelayMaxMs);
    out.push({ kind: 'timer', ms: delay });
  }

  private sendQuery(out: ClientAction[]): void {
    this.state = 'querying';
    const c: OtaCommand = { name: 'queryNextImageRequest', manufacturerCode: this.config.manufacturerCode, imageType: this.config.imageType, fileVersion: this.config.currentFileVersion };
    if (this.config.hardwareVersion !== undefined) c.hardwareVersion = this.config.hardwareVersion;
    this.send(c, out);
    this.sent.query++;
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs + (this.errors ? this.backoff() : 0) });
  }

  private onQueryResponse(c: Extract<OtaCommand, { name: 'queryNextImageResponse' }>, ctx: ClientContext, out: ClientAction[]): void {
    this.errors = 0;
    if (c.status !== OtaStatus.success || !c.image) {
      this.toIdle(out, this.config.queryIntervalMs);
      return;
    }
    const img = c.image;
    const refusal = this.offerRefusal(img);
    if (refusal) {
      out.push({ kind: 'refused', error: refusal });
      this.toIdle(out, this.config.queryIntervalMs);
      return;
    }
    this.image = { manufacturerCode: img.manufacturerCode, imageType: img.imageType, fileVersion: img.fileVersion, imageSize: img.imageSize };
    this.state = 'beginning';
    out.push({ kind: 'sink-begin', image: this.image });
  }

  /** Only a newer image for this manufacturer and type, that fits, is downloaded. */
  private offerRefusal(img: { manufacturerCode: number; imageType: number; fileVersion: number; imageSize: number }): OtaError | undefined {
    if (img.manufacturerCode !== this.config.manufacturerCode || img.imageType !== this.config.imageType) {
      return new OtaError(OtaClientError.offerMismatch, `offer for manufacturer 0x${img.manufacturerCode.toString(16)} type 0x${img.imageType.toString(16)}`);
    }
    if (img.fileVersion === WILDCARD_FILE_VERSION || img.fileVersion <= this.config.currentFileVersion) {
      return new OtaError(OtaClientError.offerNotNewer, `offered version 0x${img.fileVersion.toString(16)} is not newer than 0x${this.config.currentFileVersion.toString(16)}`);
    }
    if (img.imageSize > this.config.capacity) return new OtaError(OtaClientError.offerTooLarge, `image of ${img.imageSize} bytes, room for ${this.config.capacity}`);
    if (img.imageSize < 56) return new OtaError(OtaClientError.offerTooSmall, `image of ${img.imageSize} bytes cannot hold an OTA header`);
    return undefined;
  }

  private onBegun(resumeOffset: number, ctx: ClientContext, out: ClientAction[]): void {
    const img = this.image;
    if (!img || this.state !== 'beginning') return;
    if (!Number.isInteger(resumeOffset) || resumeOffset < 0 || resumeOffset > img.imageSize) {
      this.giveUp(ctx, out, new OtaError(SinkError.failed, `sink resumes at impossible offset ${resumeOffset}`), OtaStatus.abort);
      return;
    }
    this.offset = resumeOffset;
    this.startOffset = resumeOffset;
    this.errors = 0;
    this.waits = 0;
    this.attributes.fileOffset = resumeOffset;
    this.attributes.downloadedFileVersion = img.fileVersion;
    this.setStatus(UpgradeStatus.downloadInProgress, out);
    this.lastRequestAt = -Infinity;
    this.notBefore = -Infinity;
    if (resumeOffset === img.imageSize) {
      this.state = 'writing';
      out.push({ kind: 'sink-end' });
      return;
    }
    const allowed = (resumeOffset === 0 ? mayStart : mayResume)(this.policy, ctx.power);
    if (!allowed) {
      this.pause(out, resumeOffset === 0 ? 'battery below the start level' : 'battery below the resume level');
      return;
    }
    this.state = 'downloading';
    this.requestOrPause(ctx, out);
  }

  /** Sends the next block request when pacing allows, or arms the timer for it; pauses on low power. */
  private requestOrPause(ctx: ClientContext, out: ClientAction[]): void {
    const img = this.image!;
    if (mustPause(this.policy, ctx.power)) {
      this.pause(out, ctx.power.lowWarning ? 'brown-out warning' : 'battery below the pause level');
      return;
    }
    const ask = Math.min(this.config.maxDataSize, img.imageSize - this.offset);
    const gap = requestIntervalMs(this.policy, ctx.power, this.attributes.minimumBlockPeriod, BLOCK_REQUEST_BYTES, BLOCK_RESPONSE_OVERHEAD + ask);
    const due = Math.max(this.lastRequestAt + gap, this.notBefore);
    if (due > ctx.nowMs) {
      // Whole milliseconds: a sub-millisecond remainder (fractional clocks) must still move time on, never re-arm at "now".
      out.push({ kind: 'timer', ms: Math.ceil(due - ctx.nowMs) });
      return;
    }
    this.send(
      { name: 'imageBlockRequest', manufacturerCode: img.manufacturerCode, imageType: img.imageType, fileVersion: img.fileVersion, fileOffset: this.offset, maximumDataSize: ask },
      out,
    );
    this.sent.block++;
    this.inFlight = true;
    this.lastRequestAt = ctx.nowMs;
    this.askedSize = ask;
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs });
  }

  private askedSize = 0;

  private onBlockResponse(c: Extract<OtaCommand, { name: 'imageBlockResponse' }>, ctx: ClientContext, out: ClientAction[]): void {
    const img = this.image!;
    if (c.status === OtaStatus.abort) {
      // The server withdrew the image: stop; the sink keeps its progress for a later offer of the same image.
      out.push({ kind: 'sink-persist' });
      this.finishAborted(out, new OtaError(OtaClientError.serverAbort, `server aborted the download at offset ${this.offset}`), undefined);
      return;
    }
    if (c.status === OtaStatus.waitForData) {
      if (!this.inFlight) return; // a late duplicate; the live exchange decides
      this.inFlight = false;
      this.waits++;
      this.attributes.minimumBlockPeriod = c.minimumBlockPeriod;
      if (this.waits > this.config.maxWaitForData) {
        this.giveUp(ctx, out, new OtaError(OtaClientError.endlessWait, `${this.waits} WAIT_FOR_DATA answers without progress`), OtaStatus.abort);
        return;
      }
      // currentTime 0 means requestTime is a delay in seconds (as for the Upgrade End Response).
      const seconds = c.currentTime === 0 ? c.requestTime : Math.max(0, c.requestTime - c.currentTime);
      const waitMs = Math.min(this.config.maxServerWaitMs, seconds * 1000);
      this.notBefore = ctx.nowMs + Math.max(waitMs, c.minimumBlockPeriod, 1);
      this.requestOrPause(ctx, out);
      return;
    }
    // SUCCESS: the echo must name the image being downloaded and the offset asked.
    if (c.manufacturerCode !== img.manufacturerCode || c.imageType !== img.imageType || c.fileVersion !== img.fileVersion) {
      this.badAnswer(ctx, out, new OtaError(OtaClientError.blockWrongImage, `block for 0x${c.manufacturerCode.toString(16)}/0x${c.imageType.toString(16)}/0x${c.fileVersion.toString(16)}`));
      return;
    }
    if (c.fileOffset < this.offset && c.fileOffset + c.data.length <= this.offset) return; // a duplicate or late answer for a block already taken
    if (c.fileOffset !== this.offset) {
      this.badAnswer(ctx, out, new OtaError(OtaClientError.blockWrongOffset, `asked offset ${this.offset}, got ${c.fileOffset}`));
      return;
    }
    const remaining = img.imageSize - this.offset;
    if (c.data.length > remaining) {
      this.badAnswer(ctx, out, new OtaError(OtaClientError.blockPastEnd, `${c.data.length} bytes at ${c.fileOffset} run past the image end ${img.imageSize}`));
      return;
    }
    if (c.data.length > this.config.maxDataSize || (this.inFlight && c.data.length > this.askedSize)) {
      this.badAnswer(ctx, out, new OtaError(OtaClientError.blockTooLong, `${c.data.length} bytes, asked at most ${this.askedSize}`));
      return;
    }
    if (c.data.length === 0) {
      this.badAnswer(ctx, out, new OtaError(OtaClientError.blockEmpty, `empty block at ${c.fileOffset}`));
      return;
    }
    this.inFlight = false;
    this.errors = 0;
    this.waits = 0;
    // The decoded data is a view into the frame; keep an own copy only as long as the sink may ask to wait.
    this.pendingBlock = c.data.slice();
    this.writePending(out);
  }

  private writePending(out: ClientAction[]): void {
    if (!this.pendingBlock) return;
    this.state = 'writing';
    out.push({ kind: 'sink-write', offset: this.offset, data: this.pendingBlock });
  }

  private onWritten(result: SinkWriteResult, ctx: ClientContext, out: ClientAction[]): void {
    if (this.state !== 'writing' || !this.pendingBlock) return;
    if (result.kind === 'need-approval') {
      this.state = 'approval';
      this.tryApprove(ctx, out);
      return;
    }
    if (result.kind === 'refused') {
      this.pendingBlock = undefined;
      this.giveUp(ctx, out, result.error, result.status);
      return;
    }
    this.offset += this.pendingBlock.length;
    this.pendingBlock = undefined;
    this.attributes.fileOffset = this.offset;
    if (this.offset === this.image!.imageSize) {
      out.push({ kind: 'sink-end' });
      return;
    }
    this.state = 'downloading';
    this.requestOrPause(ctx, out);
  }

  private tryApprove(ctx: ClientContext, out: ClientAction[]): void {
    if (mayEraseOrActivate(this.policy, ctx.power)) {
      this.state = 'writing';
      out.push({ kind: 'sink-approve' });
    } else {
      out.push({ kind: 'paused', reason: 'battery below the erase level' });
      out.push({ kind: 'timer', ms: this.policy.recheckMs });
    }
  }

  private onEnded(result: SinkEndResult, ctx: ClientContext, out: ClientAction[]): void {
    if (result.kind === 'refused') {
      this.giveUp(ctx, out, result.error, result.status);
      return;
    }
    this.setStatus(UpgradeStatus.downloadComplete, out);
    this.state = 'ending';
    this.errors = 0;
    this.sendUpgradeEnd(OtaStatus.success, out);
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs });
  }

  private onEndResponse(c: Extract<OtaCommand, { name: 'upgradeEndResponse' }>, ctx: ClientContext, out: ClientAction[]): void {
    const img = this.image!;
    const matches =
      (c.manufacturerCode === img.manufacturerCode || c.manufacturerCode === WILDCARD_MANUFACTURER) &&
      (c.imageType === img.imageType || c.imageType === WILDCARD_IMAGE_TYPE) &&
      (c.fileVersion === img.fileVersion || c.fileVersion === WILDCARD_FILE_VERSION);
    if (!matches) {
      out.push({ kind: 'refused', error: new OtaError(OtaClientError.endWrongImage, 'Upgrade End Response names another image') });
      return;
    }
    if (c.upgradeTime === UPGRADE_TIME_WAIT_FOR_COMMAND) {
      this.finishDownloaded(out, 'on-command', 0, UpgradeStatus.waitingForExternalEvent);
      return;
    }
    // Times in OTA frames are never trusted as wall time: only their difference is used, as a delay.
    const seconds = c.currentTime === 0 ? c.upgradeTime : Math.max(0, c.upgradeTime - c.currentTime);
    this.finishDownloaded(out, 'at-delay', seconds * 1000, UpgradeStatus.countDown);
  }

  // ---------------------------------------------------------------------------------------

  private pause(out: ClientAction[], reason: string): void {
    this.state = 'paused';
    this.inFlight = false;
    if (this.offset > 0) out.push({ kind: 'sink-persist' });
    out.push({ kind: 'paused', reason });
    out.push({ kind: 'timer', ms: this.policy.recheckMs });
  }

  /** An answer to the live request that is wrong: count it, then ask the same offset again after a backoff. */
  private badAnswer(ctx: ClientContext, out: ClientAction[], error: OtaError): void {
    if (!this.inFlight) {
      out.push({ kind: 'refused', error });
      return;
    }
    this.inFlight = false;
    if (this.countError(ctx, out, error)) return;
    this.notBefore = ctx.nowMs + this.backoff();
    this.requestOrPause(ctx, out);
  }

  /** Counts an error, refusing the frame; true when the client gave up. */
  private countError(ctx: ClientContext, out: ClientAction[], error: OtaError): boolean {
    out.push({ kind: 'refused', error });
    this.errors++;
    if (this.errors >= this.config.maxErrors) {
      this.giveUp(ctx, out, new OtaError(OtaClientError.tooManyErrors, `${this.errors} consecutive errors, last: ${error.code}`), OtaStatus.abort);
      return true;
    }
    return false;
  }

  private backoff(): number {
    const k = Math.max(0, this.errors - 1);
    return Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** Math.min(k, 20));
  }

  /** Gives up on the image and tells the server with an Upgrade End Request carrying `status`. */
  private giveUp(ctx: ClientContext, out: ClientAction[], error: OtaError, status: number): void {
    if (this.image) this.sendUpgradeEnd(status, out);
    this.finishAborted(out, error, status);
  }

  private finishAborted(out: ClientAction[], error: OtaError, status: number | undefined): void {
    const img = this.image;
    this.image = undefined;
    this.pendingBlock = undefined;
    this.inFlight = false;
    this.attributes.downloadedFileVersion = WILDCARD_FILE_VERSION;
    this.setStatus(UpgradeStatus.normal, out);
    if (img) out.push({ kind: 'finished', outcome: { kind: 'aborted', image: img, error, upgradeEndStatus: status } });
    this.toIdle(out, this.config.queryIntervalMs);
  }

  private finishDownloaded(out: ClientAction[], activation: 'on-command' | 'at-delay', delayMs: number, status: number, unanswered = false): void {
    const img = this.image!;
    this.setStatus(status, out);
    this.state = 'downloaded';
    const outcome: DownloadOutcome = { kind: 'downloaded', image: img, activation, delayMs };
    if (unanswered) outcome.unanswered = true;
    out.push({ kind: 'finished', outcome });
  }

  private toIdle(out: ClientAction[], afterMs: number): void {
    this.state = 'idle';
    this.errors = 0;
    out.push({ kind: 'timer', ms: afterMs });
  }

  private sendUpgradeEnd(status: number, out: ClientAction[]): void {
    const img = this.image!;
    this.send({ name: 'upgradeEndRequest', status, manufacturerCode: img.manufacturerCode, imageType: img.imageType, fileVersion: img.fileVersion }, out);
    this.sent.end++;
  }

  private send(command: OtaCommand, out: ClientAction[]): void {
    this.seq = (this.seq + 1) & 0xff;
    out.push({ kind: 'send', frame: encodeOtaFrame({ sequence: this.seq, command }), command: command.name });
  }

  private setStatus(status: number, out: ClientAction[]): void {
    if (this.attributes.imageUpgradeStatus === status) return;
    this.attributes.imageUpgradeStatus = status;
    out.push({ kind: 'status', status });
  }
}
