/**
 * What a caller of ImageStream (image-stream.ts) passes and gets back: the push options and
 * result, the events, and the constructor's options. Kept apart so the parser file holds
 * the parser only.
 */
import type { Sha256 } from '../ports.js';
import type { PayloadSink } from './payload-sink.js';

export type StreamEvent =
  /** All bytes given were taken; more are needed. */
  | 'more'
  /** The prefix is complete: verify it, then `approve()` and push the rest. */
  | 'manifest-ready'
  /** The whole image (total image size) was taken and is structurally sound. */
  | 'complete';

export interface PushResult {
  /** Bytes of the chunk taken; fewer than given only at 'manifest-ready'. */
  consumed: number;
  event: StreamEvent;
  /** File offset of the next byte expected. */
  fileOffset: number;
}

export interface PushOptions {
  /**
   * The bytes are payload the bank already holds (resuming after a power cut): they are
   * hashed but not handed to the sink.
   */
  stored?: boolean;
}

export interface ImageStreamOptions {
  sha256: Sha256;
  /** Bytes the inactive bank holds: the largest payload accepted. */
  bankSize: number;
  sink?: PayloadSink;
}
