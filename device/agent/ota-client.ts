/**
 * The Zigbee OTA Upgrade client as a pure state machine: an event (a frame arrived, the
 * timer fired, a sink call returned) plus what the driver read of the world at that
 * moment (time, power, a random number) goes in; a list of actions (send a frame, arm the
 * timer, call the sink, report a status) comes out. It touches no port, so every rule is
 * tested without timers or radios; ota-driver.ts binds it to the ports.
 *
 * One timer is enough: in each state it means one thing (next query, response timeout,
 * next paced request, power re-check). What the client holds, and the outcomes its steps
 * share, are in ota-client-state.ts.
 *
 * The state table is ota-client-table.ts (docs/OTA-CLIENT.md renders it): `handle` turns
 * an event into a trigger and runs the table's row; the public methods below the dispatch
 * are the rows' steps (the query and offer steps in ota-client-query.ts), and the offer and
 * block checks are in ota-answer-checks.ts.
 */
import { OtaError } from '../errors.js';
import {
  OtaStatus,
  UPGRADE_TIME_WAIT_FOR_COMMAND,
  UpgradeStatus,
  decodeOtaFrame,
  type OtaCommand,
  ZclError,
} from '../zigbee/index.js';
import { SinkError } from './agent-errors.js';
import type { SinkEndResult, SinkWriteResult } from './image-sink.js';
import { blockVerdict, endResponseNames, serverWaitMs } from './ota-answer-checks.js';
import { findClientRow, SERVER_COMMANDS, type ClientInputs, type ClientTrigger } from './ota-client-table.js';
import type { ClientAction, ClientEvent, ClientReading } from './ota-client-io.js';
import { QueryClient } from './ota-client-query.js';
import { OtaClientError } from './ota-errors.js';
import { mayEraseOrActivate, mayResume, mayStart, mustPause, requestIntervalMs } from './power-policy.js';

/** Sizes of a block exchange for the airtime cap: request ZCL frame, response header + data. */
const BLOCK_REQUEST_BYTES = 18;
const BLOCK_RESPONSE_OVERHEAD = 17;

export class OtaClient extends QueryClient {
  /** Handles one event. Never throws: every fault is an action or a state change. */
  handle(event: ClientEvent, reading: ClientReading): ClientAction[] {
    const out: ClientAction[] = [];
    try {
      this.warnCheck(reading, out);
      this.dispatch(event, reading, out);
    } catch (e) {
      // A bug here must not escape into the platform's event loop; fail the download cleanly.
      const err =
        e instanceof OtaError
          ? e
          : new OtaError(OtaClientError.clientInternal, e instanceof Error ? e.message : String(e));
      out.push({ kind: 'refused', error: err });
      if (this.image) this.giveUp(reading, out, err, OtaStatus.abort);
      else this.toIdle(out, this.config.queryIntervalMs);
    }
    return out;
  }

  private dispatch(event: ClientEvent, reading: ClientReading, out: ClientAction[]): void {
    switch (event.kind) {
      case 'boot':
      case 'timer':
      case 'sink-approved':
        return this.run(event.kind, undefined, reading, out);
      case 'sink-begun':
        return this.run('sink-begun', event.resumeOffset, reading, out);
      case 'sink-written':
        return this.run('sink-written', event.result, reading, out);
      case 'sink-ended':
        return this.run('sink-ended', event.result, reading, out);
      case 'sink-failed':
        return this.run('sink-failed', event.error, reading, out);
      case 'frame':
        return this.dispatchFrame(event.bytes, reading, out);
    }
  }

  /** A frame's trigger is its command (server to client), or what is wrong with it. */
  private dispatchFrame(bytes: Uint8Array, reading: ClientReading, out: ClientAction[]): void {
    let command: OtaCommand;
    let direction: number;
    try {
      const decoded = decodeOtaFrame(bytes);
      command = decoded.command;
      direction = decoded.header.direction;
    } catch (e) {
      const err = e instanceof OtaError ? e : new OtaError(ZclError.malformed, String(e));
      return this.run('undecodable frame', err, reading, out);
    }
    if (direction !== 1) return this.run('client-to-server frame', command, reading, out);
    const trigger = command.name as ClientTrigger;
    if (!SERVER_COMMANDS.includes(trigger)) {
      this.ignored++;
      return;
    }
    this.run(trigger, command as ClientInputs[typeof trigger], reading, out);
  }

  private run<K extends ClientTrigger>(
    trigger: K,
    input: ClientInputs[K],
    reading: ClientReading,
    out: ClientAction[],
  ): void {
    const row = findClientRow(this, trigger, input, reading);
    if (row) row.run(this, input, reading, out);
    else this.ignored++;
  }

  blockTimedOut(reading: ClientReading, out: ClientAction[]): void {
    this.inFlight = false;
    if (this.countError(reading, out, new OtaError(OtaClientError.blockTimeout, `no answer for offset ${this.offset}`)))
      return;
    this.notBefore = reading.nowMs + this.backoff();
    this.requestOrPause(reading, out);
  }

  resumeDownload(reading: ClientReading, out: ClientAction[]): void {
    this.state = 'downloading';
    this.lastRequestAt = -Infinity;
    this.notBefore = -Infinity;
    this.requestOrPause(reading, out);
  }

  keepUnanswered(out: ClientAction[]): void {
    this.errors++;
    // The image is complete and verified; the server is just not answering. Keep it and wait to be told when.
    this.finishDownloaded(out, 'on-command', 0, UpgradeStatus.waitingToUpgrade, true);
  }

  retryUpgradeEnd(out: ClientAction[]): void {
    this.errors++;
    this.sendUpgradeEnd(OtaStatus.success, out);
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs + this.backoff() });
  }

  wrongDirection(command: OtaCommand, out: ClientAction[]): void {
    out.push({
      kind: 'refused',
      error: new OtaError(ZclError.wrongDirection, `${command.name} sent towards a client`),
    });
  }

  /** A server may refuse a request with a Default Response instead of the command's response. */
  serverRefused(
    command: Extract<OtaCommand, { name: 'defaultResponse' }>,
    reading: ClientReading,
    out: ClientAction[],
  ): void {
    this.inFlight = false;
    const error = new OtaError(
      OtaClientError.serverRefused,
      `Default Response status 0x${command.status.toString(16)}`,
    );
    if (this.countError(reading, out, error)) return;
    this.notBefore = reading.nowMs + this.backoff();
    this.requestOrPause(reading, out);
  }

  onBegun(resumeOffset: number, reading: ClientReading, out: ClientAction[]): void {
    const img = this.image;
    if (!img) return;
    if (!Number.isInteger(resumeOffset) || resumeOffset < 0 || resumeOffset > img.imageSize) {
      this.giveUp(
        reading,
        out,
        new OtaError(SinkError.failed, `sink resumes at impossible offset ${resumeOffset}`),
        OtaStatus.abort,
      );
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
    const allowed = (resumeOffset === 0 ? mayStart : mayResume)(this.policy, reading.power);
    if (!allowed) {
      this.pause(out, resumeOffset === 0 ? 'battery below the start level' : 'battery below the resume level');
      return;
    }
    this.state = 'downloading';
    this.requestOrPause(reading, out);
  }

  /** Sends the next block request when pacing allows, or arms the timer for it; pauses on low power. */
  requestOrPause(reading: ClientReading, out: ClientAction[]): void {
    const img = this.image!;
    if (mustPause(this.policy, reading.power)) {
      this.pause(out, reading.power.lowWarning ? 'brown-out warning' : 'battery below the pause level');
      return;
    }
    const ask = Math.min(this.config.maxDataSize, img.imageSize - this.offset);
    const gap = requestIntervalMs(
      this.policy,
      reading.power,
      this.attributes.minimumBlockPeriod,
      BLOCK_REQUEST_BYTES,
      BLOCK_RESPONSE_OVERHEAD + ask,
    );
    const due = Math.max(this.lastRequestAt + gap, this.notBefore);
    if (due > reading.nowMs) {
      // Whole milliseconds: a sub-millisecond remainder (fractional clocks) must still move time on, never re-arm at "now".
      out.push({ kind: 'timer', ms: Math.ceil(due - reading.nowMs) });
      return;
    }
    this.send(
      {
        name: 'imageBlockRequest',
        manufacturerCode: img.manufacturerCode,
        imageType: img.imageType,
        fileVersion: img.fileVersion,
        fileOffset: this.offset,
        maximumDataSize: ask,
      },
      out,
    );
    this.sent.block++;
    this.inFlight = true;
    this.lastRequestAt = reading.nowMs;
    this.askedSize = ask;
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs });
  }

  onBlockResponse(
    command: Extract<OtaCommand, { name: 'imageBlockResponse' }>,
    reading: ClientReading,
    out: ClientAction[],
  ): void {
    if (command.status === OtaStatus.abort) {
      // The server withdrew the image: stop; the sink keeps its progress for a later offer of the same image.
      out.push({ kind: 'sink-persist' });
      const error = new OtaError(OtaClientError.serverAbort, `server aborted the download at offset ${this.offset}`);
      this.finishAborted(out, error, undefined);
      return;
    }
    if (command.status === OtaStatus.waitForData) {
      if (!this.inFlight) return; // a late duplicate; the live exchange decides
      this.inFlight = false;
      this.waits++;
      this.attributes.minimumBlockPeriod = command.minimumBlockPeriod;
      if (this.waits > this.config.maxWaitForData) {
        const error = new OtaError(OtaClientError.endlessWait, `${this.waits} WAIT_FOR_DATA answers without progress`);
        this.giveUp(reading, out, error, OtaStatus.abort);
        return;
      }
      this.notBefore = reading.nowMs + serverWaitMs(command, this.config.maxServerWaitMs);
      this.requestOrPause(reading, out);
      return;
    }
    const asked = {
      offset: this.offset,
      maxDataSize: this.config.maxDataSize,
      askedSize: this.askedSize,
      inFlight: this.inFlight,
    };
    const verdict = blockVerdict(command, this.image!, asked);
    if (verdict === 'duplicate') return; // a duplicate or late answer for a block already taken
    if (verdict !== 'take') {
      this.badAnswer(reading, out, verdict);
      return;
    }
    this.inFlight = false;
    this.errors = 0;
    this.waits = 0;
    // The decoded data is a view into the frame; keep an own copy only as long as the sink may ask to wait.
    this.pendingBlock = command.data.slice();
    this.writePending(out);
  }

  writePending(out: ClientAction[]): void {
    if (!this.pendingBlock) return;
    this.state = 'writing';
    out.push({ kind: 'sink-write', offset: this.offset, data: this.pendingBlock });
  }

  onWritten(result: SinkWriteResult, reading: ClientReading, out: ClientAction[]): void {
    if (!this.pendingBlock) return;
    if (result.kind === 'need-approval') {
      this.state = 'approval';
      this.tryApprove(reading, out);
      return;
    }
    if (result.kind === 'refused') {
      this.pendingBlock = undefined;
      this.giveUp(reading, out, result.error, result.status);
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
    this.requestOrPause(reading, out);
  }

  tryApprove(reading: ClientReading, out: ClientAction[]): void {
    if (mayEraseOrActivate(this.policy, reading.power)) {
      this.state = 'writing';
      out.push({ kind: 'sink-approve' });
    } else {
      out.push({ kind: 'paused', reason: 'battery below the erase level' });
      out.push({ kind: 'timer', ms: this.policy.recheckMs });
    }
  }

  onEnded(result: SinkEndResult, reading: ClientReading, out: ClientAction[]): void {
    if (result.kind === 'refused') {
      this.giveUp(reading, out, result.error, result.status);
      return;
    }
    this.setStatus(UpgradeStatus.downloadComplete, out);
    this.state = 'ending';
    this.errors = 0;
    this.sendUpgradeEnd(OtaStatus.success, out);
    out.push({ kind: 'timer', ms: this.config.responseTimeoutMs });
  }

  onEndResponse(command: Extract<OtaCommand, { name: 'upgradeEndResponse' }>, out: ClientAction[]): void {
    if (!endResponseNames(command, this.image!)) {
      out.push({
        kind: 'refused',
        error: new OtaError(OtaClientError.endWrongImage, 'Upgrade End Response names another image'),
      });
      return;
    }
    if (command.upgradeTime === UPGRADE_TIME_WAIT_FOR_COMMAND) {
      this.finishDownloaded(out, 'on-command', 0, UpgradeStatus.waitingForExternalEvent);
      return;
    }
    // Times in OTA frames are never trusted as wall time: only their difference is used, as a delay.
    const seconds =
      command.currentTime === 0 ? command.upgradeTime : Math.max(0, command.upgradeTime - command.currentTime);
    this.finishDownloaded(out, 'at-delay', seconds * 1000, UpgradeStatus.countDown);
  }

  /** An answer to the live request that is wrong: count it, then ask the same offset again after a backoff. */
  badAnswer(reading: ClientReading, out: ClientAction[], error: OtaError): void {
    if (!this.inFlight) {
      out.push({ kind: 'refused', error });
      return;
    }
    this.inFlight = false;
    if (this.countError(reading, out, error)) return;
    this.notBefore = reading.nowMs + this.backoff();
    this.requestOrPause(reading, out);
  }
}
