import type { Bytes } from '../ports.js';

/**
 * Where the payload goes (the bank writer). The parser calls `write` with contiguous
 * pieces in order, `offset` being the payload offset (= bank offset). `bytes` is a view
 * into the caller's chunk: copy it if it must outlive the call. A throw refuses the
 * image: an OtaError keeps its code, anything else becomes IMG_SINK.
 */
export interface PayloadSink {
  write(offset: number, bytes: Bytes): void;
}
