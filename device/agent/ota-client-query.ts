/**
 * The OTA client's query steps: Image Notify, Query Next Image Request and its answer (the
 * offer checked by ota-answer-checks.ts), and a query left unanswered. OtaClient (ota-client.ts)
 * extends this class with the download and end steps; the table rows (ota-client-table.ts)
 * call both alike.
 */
import { OtaError } from '../errors.js';
import { OtaStatus, WILDCARD_IMAGE_TYPE, WILDCARD_MANUFACTURER, type OtaCommand } from '../zigbee/index.js';
import { offerRefusal } from './ota-answer-checks.js';
import type { ClientAction, ClientReading } from './ota-client-io.js';
import { ClientState } from './ota-client-state.js';
import { OtaClientError } from './ota-errors.js';

export abstract class QueryClient extends ClientState {
  queryUnanswered(out: ClientAction[]): void {
    this.errors++;
    out.push({
      kind: 'refused',
      error: new OtaError(OtaClientError.queryNoAnswer, `no Query Next Image Response after ${this.errors} tries`),
    });
    this.toIdle(out, this.config.queryIntervalMs);
  }

  retryQuery(out: ClientAction[]): void {
    this.errors++;
    this.sendQuery(out);
  }

  onNotify(command: Extract<OtaCommand, { name: 'imageNotify' }>, reading: ClientReading, out: ClientAction[]): void {
    // Notifies for someone else's image, or for the version already running, are dropped (ZCL 11.13.3.4).
    if (
      command.payloadType >= 1 &&
      command.manufacturerCode !== WILDCARD_MANUFACTURER &&
      command.manufacturerCode !== this.config.manufacturerCode
    )
      return;
    if (
      command.payloadType >= 2 &&
      command.imageType !== WILDCARD_IMAGE_TYPE &&
      command.imageType !== this.config.imageType
    )
      return;
    if (command.payloadType >= 3 && command.fileVersion === this.config.currentFileVersion) return;
    // Query jitter: answer with probability jitter/100, so a broadcast does not make every device answer at once.
    const draw = 1 + Math.floor(reading.random * 100);
    if (draw > command.queryJitter) return;
    const delay = Math.floor(((reading.random * 100) % 1) * this.config.notifyDelayMaxMs);
    out.push({ kind: 'timer', ms: delay });
  }

  sendQuery(out: ClientAction[]): void {
    this.state = 'querying';
    const query: OtaCommand = {
      name: 'queryNextImageRequest',
      manufacturerCode: this.config.manufacturerCode,
      imageType: this.config.imageType,
      fileVersion: this.config.currentFileVersion,
    };
    if (this.config.hardwareVersion !== undefined) query.hardwareVersion = this.config.hardwareVersion;
    this.send(query, out);
    this.sent.query++;
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs + (this.errors ? this.backoff() : 0) });
  }

  onQueryResponse(command: Extract<OtaCommand, { name: 'queryNextImageResponse' }>, out: ClientAction[]): void {
    this.errors = 0;
    if (command.status !== OtaStatus.success || !command.image) {
      this.toIdle(out, this.config.queryIntervalMs);
      return;
    }
    const offered = command.image;
    const refusal = offerRefusal(this.config, offered);
    if (refusal) {
      out.push({ kind: 'refused', error: refusal });
      this.toIdle(out, this.config.queryIntervalMs);
      return;
    }
    this.image = {
      manufacturerCode: offered.manufacturerCode,
      imageType: offered.imageType,
      fileVersion: offered.fileVersion,
      imageSize: offered.imageSize,
    };
    this.state = 'beginning';
    out.push({ kind: 'sink-begin', image: this.image });
  }
}
