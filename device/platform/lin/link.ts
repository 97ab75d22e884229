/**
 * The lin build's end of the local TCP link to its supervisor (link-protocol.ts): one
 * connection carries the OTA transport, the activation commands, the reports and the
 * build's events. Messages are dispatched by type to the one handler each port
 * registered; a malformed stream closes the link, and every later send throws
 * LIN_LINK_DOWN (the agent treats that as a failed send and retries later).
 */
import { OtaError } from '../../errors.js';
import { LinError } from './lin-errors.js';
import { MessageReader, frame } from './link-protocol.js';

/** A connected byte stream (embedded:io/socket/tcp in the build). */
export interface Stream {
  /** Writes all of `bytes` or throws. */
  write(bytes: Uint8Array): void;
  close(): void;
}

export class LinLink {
  private readonly handlers = new Map<number, (body: Uint8Array) => void>();
  private readonly reader: MessageReader;
  private stream: Stream | undefined;
  private down: string | undefined;

  constructor() {
    this.reader = new MessageReader(
      (type, body) => this.handlers.get(type)?.(body),
      (why) => this.fail(why),
    );
  }

  /** Attaches the stream once it is connected. */
  attach(stream: Stream): void {
    this.stream = stream;
  }

  /** Bytes the stream received. */
  received(bytes: Uint8Array): void {
    this.reader.push(bytes);
  }

  /** The stream failed or closed. */
  fail(why: string): void {
    if (this.down) return;
    this.down = why;
    try {
      this.stream?.close();
    } catch {
      // closing a failed socket may throw too; the link is down either way
    }
  }

  /** One handler per message type (a later one replaces it). */
  on(type: number, handler: (body: Uint8Array) => void): void {
    this.handlers.set(type, handler);
  }

  send(type: number, body: Uint8Array): void {
    if (this.down || !this.stream)
      throw new OtaError(LinError.linkDown, `link to the supervisor is down${this.down ? `: ${this.down}` : ''}`);
    try {
      this.stream.write(frame(type, body));
    } catch (e) {
      throw new OtaError(LinError.linkDown, `link write: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
