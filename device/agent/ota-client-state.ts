/**
 * What the OTA client holds between events (the image being downloaded, the offset, the
 * counters, one pending block, the cluster attributes) and the outcomes every step shares:
 * the frames it sends, the status it reports, pausing, counting errors with backoff, giving
 * up and finishing. ota-client.ts adds the steps the state table runs.
 *
 * RAM does not depend on the image size: the only data held is one pending block
 * (≤ 255 bytes) while the sink waits for approval.
 */
import { OtaError } from '../errors.js';
import { OtaStatus, UpgradeStatus, WILDCARD_FILE_VERSION, encodeOtaFrame, type OtaCommand } from '../zigbee/index.js';
import { checkClientConfig } from './client-config-check.js';
import type { ImageIdentity } from './image-sink.js';
import type { OtaClientConfig } from './ota-client-config.js';
import type {
  ClientAction,
  ClientReading,
  ClientStateName,
  DownloadOutcome,
  OtaClientAttributes,
} from './ota-client-io.js';
import { OtaClientError } from './ota-errors.js';
import type { PowerPolicy } from './power-policy.js';

export abstract class ClientState {
  state: ClientStateName = 'idle';
  readonly attributes: OtaClientAttributes;
  /** The offset the download started from this boot (tests check resumes against it). */
  startOffset = 0;
  /** Requests sent by kind, for figures. */
  readonly sent = { query: 0, block: 0, end: 0 };
  /** Events that had no row for the state they arrived in. */
  ignored = 0;
  protected sequence: number;
  protected image: ImageIdentity | undefined;
  protected offset = 0;
  protected errors = 0;
  protected waits = 0;
  protected inFlight = false;
  protected lastRequestAt = -Infinity;
  /** No request before this time (a backoff or a server's WAIT_FOR_DATA). */
  protected notBefore = -Infinity;
  /** The data size asked in the request in flight. */
  protected askedSize = 0;
  protected pendingBlock: Uint8Array | undefined;
  protected persistedForWarning = false;

  constructor(
    readonly config: OtaClientConfig,
    readonly policy: PowerPolicy,
    initialSequence = 0,
  ) {
    checkClientConfig(config);
    this.sequence = initialSequence & 0xff;
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

  /** A block request waits for its answer. */
  get requestInFlight(): boolean {
    return this.inFlight;
  }

  /** A brown-out warning persists progress at once, whatever the state (once per warning). */
  protected warnCheck(reading: ClientReading, out: ClientAction[]): void {
    if (!reading.power.lowWarning) {
      this.persistedForWarning = false;
      return;
    }
    if (this.persistedForWarning || !this.image || this.offset === 0) return;
    if (this.state === 'writing' || this.state === 'beginning') return; // a sink call is under way
    this.persistedForWarning = true;
    out.push({ kind: 'sink-persist' });
  }

  /** The next error reaches `maxErrors`. */
  lastErrorAllowed(): boolean {
    return this.errors + 1 >= this.config.maxErrors;
  }

  recheckLater(out: ClientAction[]): void {
    out.push({ kind: 'timer', ms: this.policy.recheckMs });
  }

  toIdle(out: ClientAction[], afterMs: number): void {
    this.state = 'idle';
    this.errors = 0;
    out.push({ kind: 'timer', ms: afterMs });
  }

  /** Gives up on the image and tells the server with an Upgrade End Request carrying `status`. */
  giveUp(_reading: ClientReading, out: ClientAction[], error: OtaError, status: number): void {
    if (this.image) this.sendUpgradeEnd(status, out);
    this.finishAborted(out, error, status);
  }

  protected pause(out: ClientAction[], reason: string): void {
    this.state = 'paused';
    this.inFlight = false;
    if (this.offset > 0) out.push({ kind: 'sink-persist' });
    out.push({ kind: 'paused', reason });
    out.push({ kind: 'timer', ms: this.policy.recheckMs });
  }

  /** Counts an error, refusing the frame; true when the client gave up. */
  protected countError(reading: ClientReading, out: ClientAction[], error: OtaError): boolean {
    out.push({ kind: 'refused', error });
    this.errors++;
    if (this.errors >= this.config.maxErrors) {
      const last = new OtaError(OtaClientError.tooManyErrors, `${this.errors} consecutive errors, last: ${error.code}`);
      this.giveUp(reading, out, last, OtaStatus.abort);
      return true;
    }
    return false;
  }

  protected backoff(): number {
    const doublings = Math.max(0, this.errors - 1);
    return Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** Math.min(doublings, 20));
  }

  protected finishAborted(out: ClientAction[], error: OtaError, status: number | undefined): void {
    const img = this.image;
    this.image = undefined;
    this.pendingBlock = undefined;
    this.inFlight = false;
    this.attributes.downloadedFileVersion = WILDCARD_FILE_VERSION;
    this.setStatus(UpgradeStatus.normal, out);
    if (img) out.push({ kind: 'finished', outcome: { kind: 'aborted', image: img, error, upgradeEndStatus: status } });
    this.toIdle(out, this.config.queryIntervalMs);
  }

  protected finishDownloaded(
    out: ClientAction[],
    activation: 'on-command' | 'at-delay',
    delayMs: number,
    status: number,
    unanswered = false,
  ): void {
    const img = this.image!;
    this.setStatus(status, out);
    this.state = 'downloaded';
    const outcome: DownloadOutcome = { kind: 'downloaded', image: img, activation, delayMs };
    if (unanswered) outcome.unanswered = true;
    out.push({ kind: 'finished', outcome });
  }

  protected sendUpgradeEnd(status: number, out: ClientAction[]): void {
    const img = this.image!;
    this.send(
      {
        name: 'upgradeEndRequest',
        status,
        manufacturerCode: img.manufacturerCode,
        imageType: img.imageType,
        fileVersion: img.fileVersion,
      },
      out,
    );
    this.sent.end++;
  }

  protected send(command: OtaCommand, out: ClientAction[]): void {
    this.sequence = (this.sequence + 1) & 0xff;
    out.push({ kind: 'send', frame: encodeOtaFrame({ sequence: this.sequence, command }), command: command.name });
  }

  protected setStatus(status: number, out: ClientAction[]): void {
    if (this.attributes.imageUpgradeStatus === status) return;
    this.attributes.imageUpgradeStatus = status;
    out.push({ kind: 'status', status });
  }
}
