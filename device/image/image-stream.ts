/**
 * Streaming parser of a signed GB OTA image (docs/FORMAT.md): bytes in, in order, in
 * chunks of any size down to one byte. It checks every length against the header's total
 * size and the bank before trusting it, keeps only the bounded prefix (header, manifest,
 * signature, chain) in RAM, hashes as it goes, and stops at "manifest ready": no payload
 * byte is taken until the caller has verified the manifest and called `approve()`.
 *
 * This is structure only; the decisions (signatures, chain, IDs, versions, supplier)
 * are image-session.ts's. A refusal is final: every later call throws the same OtaError.
 */
import type { Bytes, Sha256, Sha256Context } from '../ports.js';
import { OtaError, asOtaError } from '../errors.js';
import { equalBytes, readU16, readU32 } from '../util/index.js';
import { decodeManifest, type Manifest } from './manifest.js';
import { HEADER_LENGTH_FIELD_END, parseOtaHeader, readHeaderLength, type OtaHeader } from './ota-header.js';
import { ImageError } from './image-errors.js';
import {
  ELEMENT_HEAD_LENGTH,
  ELEMENT_ORDER,
  MAX_CHAIN_LENGTH,
  MAX_MANIFEST_LENGTH,
  MAX_PREFIX_LENGTH,
  OTA_HEADER_BASE_LENGTH,
  OTA_HEADER_MAX_LENGTH,
  RAW_SIGNATURE_LENGTH,
  TRAILER_LENGTH,
  TRAILER_MARKER,
  Tag,
} from './image-format.js';
import type { ImageStreamOptions, PushOptions, PushResult } from './image-stream-types.js';
import type { PayloadSink } from './payload-sink.js';

// The stream's calling vocabulary lives in image-stream-types.ts; re-exported so './image-stream.js' keeps working.
export type { ImageStreamOptions, PushOptions, PushResult, StreamEvent } from './image-stream-types.js';

type State = 'header' | 'head' | 'data' | 'ready' | 'payload' | 'trailer' | 'complete' | 'failed';

/** Smallest Manufacturer Image: four element heads, a 1-byte manifest, a signature, a 1-certificate chain head. */
const MIN_BODY = 4 * ELEMENT_HEAD_LENGTH + 1 + RAW_SIGNATURE_LENGTH + 3;
/** Iterations one push may take beyond one per byte: the state changes of a whole image. */
const STEP_SLACK = 32;

export class ImageStream {
  private readonly sha: Sha256;
  private readonly bankSize: number;
  private readonly sink: PayloadSink | undefined;
  /** Header, element heads and signed-metadata data, as they arrived (bounded). */
  private readonly prefixBuf = new Uint8Array(MAX_PREFIX_LENGTH);
  private prefixLen = 0;
  private state: State = 'header';
  private failure: OtaError | undefined;
  private offset = 0;
  /** End offset (in the file) of what the current state is collecting. */
  private want = HEADER_LENGTH_FIELD_END;
  private elementIndex = 0;
  private elementStart = 0;
  private readonly views: { manifest?: Bytes; signature?: Bytes; chain?: Bytes } = {};
  /** Created once the header is read (inside push, so that a failing port ends typed). */
  private imageHash: Sha256Context | undefined;
  private payloadHash: Sha256Context | undefined;
  private payloadStart = 0;
  private payloadEnd = 0;
  private trailerBuf: Bytes | undefined;
  private trailerLen = 0;
  private miHash: Bytes | undefined;
  header: OtaHeader | undefined;
  manifest: Manifest | undefined;

  constructor(options: ImageStreamOptions) {
    this.sha = options.sha256;
    this.bankSize = options.bankSize;
    this.sink = options.sink;
  }

  /** File offset of the next byte expected (the OTA client's FileOffset). */
  get fileOffset(): number {
    return this.offset;
  }

  get status(): State {
    return this.state;
  }

  /** Takes bytes in file order. Throws OtaError on any refusal. */
  push(bytes: Bytes, options?: PushOptions): PushResult {
    if (this.failure) throw this.failure;
    try {
      if (this.state === 'ready' && bytes.length > 0) {
        throw new OtaError(ImageError.notApproved, 'payload offered before the manifest was approved');
      }
      return this.take(bytes, options?.stored === true);
    } catch (e) {
      this.failure = asOtaError(e, ImageError.internal);
      this.state = 'failed';
      throw this.failure;
    }
  }

  /** Lets payload bytes in; only at 'manifest-ready', after the caller verified the prefix. */
  approve(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'ready') throw new OtaError(ImageError.state, `approve() in state ${this.state}`);
    try {
      this.state = this.payloadEnd === this.payloadStart ? this.afterPayload() : 'payload';
    } catch (e) {
      this.fail(asOtaError(e, ImageError.internal));
    }
  }

  /** Says the input has ended: throws IMG_TRUNCATED unless the image is complete. */
  finish(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'complete') {
      this.fail(
        new OtaError(
          ImageError.truncated,
          `input ended at offset ${this.offset} of ${this.header?.totalImageSize ?? '?'}`,
        ),
      );
    }
  }

  /** Marks the stream refused from outside (a verification failure): later calls throw `error`. */
  fail(error: OtaError): never {
    this.failure = error;
    this.state = 'failed';
    throw error;
  }

  /** The prefix bytes (header .. payload element head): what the metadata record keeps. */
  prefix(): Bytes {
    return this.prefixBuf.slice(0, this.prefixLen);
  }

  get manifestBytes(): Bytes | undefined {
    return this.views.manifest;
  }
  get manufacturerSignature(): Bytes | undefined {
    return this.views.signature;
  }
  get chainBytes(): Bytes | undefined {
    return this.views.chain;
  }
  /** Whether a GBCS trailer follows the payload (known from 'manifest-ready'). */
  get hasTrailer(): boolean {
    return this.payloadEnd !== 0 && this.header !== undefined && this.header.totalImageSize > this.payloadEnd;
  }
  /** Payload length (from the payload element head, equal to the manifest's). */
  get payloadLength(): number {
    return this.payloadEnd - this.payloadStart;
  }
  /** The GBCS trailer's supplier signature, or undefined when the image has no trailer. */
  get supplierSignature(): Bytes | undefined {
    return this.state === 'complete' && this.trailerBuf ? this.trailerBuf.subarray(2) : undefined;
  }
  /** The whole GBCS trailer (`00 40` + signature), a copy, once complete. */
  get trailer(): Bytes | undefined {
    return this.state === 'complete' && this.trailerBuf ? this.trailerBuf.slice() : undefined;
  }
  /** SHA-256 of the Manufacturer Image (after the header, up to the trailer): known at 'complete'. */
  get manufacturerImageHash(): Bytes | undefined {
    return this.miHash;
  }

  // ----------------------------------------------------------------------- internals

  private take(bytes: Bytes, stored: boolean): PushResult {
    const n = bytes.length;
    // Nearly every push is a block inside the payload: taken here whole, with no view made
    // and no state change. The loop below takes it the same way at about twice the XS
    // instructions per block (docs/BENCHMARKS.md, the download path per KiB).
    if (this.state === 'payload' && n > 0 && this.offset + n < this.want) {
      this.payloadHash!.update(bytes);
      this.imageHash!.update(bytes);
      this.offset += n;
      if (!stored && this.sink) this.toSink(this.offset - n - this.payloadStart, bytes);
      return { consumed: n, event: 'more', fileOffset: this.offset };
    }
    let i = 0;
    let steps = 0;
    const maxSteps = n + STEP_SLACK;
    for (;;) {
      if (++steps > maxSteps)
        throw new OtaError(ImageError.stepLimit, `parser made no progress at offset ${this.offset}`);
      if (this.state === 'ready') return { consumed: i, event: 'manifest-ready', fileOffset: this.offset };
      if (this.state === 'complete') {
        if (i < n)
          throw new OtaError(
            ImageError.trailingBytes,
            `${n - i} bytes beyond the signed image (total size ${this.offset})`,
          );
        return { consumed: i, event: 'complete', fileOffset: this.offset };
      }
      if (i >= n) return { consumed: i, event: 'more', fileOffset: this.offset };
      if (stored && this.state !== 'payload')
        throw new OtaError(ImageError.state, `stored payload offered at offset ${this.offset}, outside the payload`);
      const room = Math.min(n - i, this.want - this.offset);
      const piece = room === n ? bytes : bytes.subarray(i, i + room);
      i += room;
      this.offset += room;
      if (this.state === 'payload') {
        this.payloadHash!.update(piece);
        this.imageHash!.update(piece);
        if (!stored && this.sink) this.toSink(this.offset - room - this.payloadStart, piece);
      } else if (this.state === 'trailer') {
        this.trailerBuf!.set(piece, this.trailerLen);
        this.trailerLen += room;
      } else {
        this.prefixBuf.set(piece, this.prefixLen);
        this.prefixLen += room;
        if (this.state !== 'header') this.imageHash!.update(piece);
      }
      if (this.offset === this.want) this.state = this.advance();
    }
  }

  private toSink(payloadOffset: number, piece: Bytes): void {
    try {
      this.sink!.write(payloadOffset, piece);
    } catch (e) {
      throw asOtaError(e, ImageError.sink);
    }
  }

  /** Called when the current state's bytes are complete; returns the next state. */
  private advance(): State {
    switch (this.state) {
      case 'header':
        return this.onHeaderBytes();
      case 'head':
        return this.onElementHead();
      case 'data':
        return this.onElementData();
      case 'payload':
        return this.onPayloadEnd();
      case 'trailer':
        return this.onTrailer();
      default:
        throw new OtaError(ImageError.state, `no transition from ${this.state}`);
    }
  }

  private onHeaderBytes(): State {
    if (this.offset === HEADER_LENGTH_FIELD_END) {
      const length = readHeaderLength(this.prefixBuf);
      if (length < OTA_HEADER_BASE_LENGTH || length > OTA_HEADER_MAX_LENGTH) {
        throw new OtaError(
          ImageError.headerLength,
          `header length ${length} (${OTA_HEADER_BASE_LENGTH}..${OTA_HEADER_MAX_LENGTH} defined)`,
        );
      }
      this.want = length;
      return 'header';
    }
    const h = parseOtaHeader(this.prefixBuf.subarray(0, this.offset));
    const body = h.totalImageSize - h.headerLength;
    if (h.totalImageSize < h.headerLength || body < MIN_BODY) {
      throw new OtaError(
        ImageError.totalSize,
        `total image size ${h.totalImageSize} cannot hold a signed image after a ${h.headerLength}-byte header`,
      );
    }
    const largest = MAX_PREFIX_LENGTH - OTA_HEADER_MAX_LENGTH + this.bankSize + TRAILER_LENGTH;
    if (body > largest)
      throw new OtaError(
        ImageError.tooLarge,
        `image of ${h.totalImageSize} bytes exceeds what a ${this.bankSize}-byte bank can take`,
      );
    this.header = h;
    this.imageHash = this.sha.create();
    return this.expectHead();
  }

  private expectHead(): State {
    this.want = this.offset + ELEMENT_HEAD_LENGTH;
    if (this.want > this.header!.totalImageSize) {
      throw new OtaError(
        ImageError.layout,
        `element head at ${this.offset} runs past total size ${this.header!.totalImageSize}`,
      );
    }
    return 'head';
  }

  private onElementHead(): State {
    const o = this.prefixLen - ELEMENT_HEAD_LENGTH;
    const tag = readU16(this.prefixBuf, o);
    const length = readU32(this.prefixBuf, o + 2);
    const expected = ELEMENT_ORDER[this.elementIndex];
    if (tag !== expected) {
      if (this.elementIndex === 0) {
        throw new OtaError(
          ImageError.unsigned,
          `no signed manifest: the first sub-element is 0x${hex4(tag)}, not 0xf100 (an unsigned image)`,
        );
      }
      throw new OtaError(
        ImageError.tagUnexpected,
        `sub-element 0x${hex4(tag)} at offset ${this.offset - ELEMENT_HEAD_LENGTH}, expected 0x${hex4(expected)}`,
      );
    }
    const total = this.header!.totalImageSize;
    const left = total - this.offset;
    if (length > left)
      throw new OtaError(
        ImageError.elementLength,
        `sub-element 0x${hex4(tag)} of ${length} bytes runs past total size`,
      );
    this.elementStart = this.offset;
    if (tag === Tag.payload) return this.onPayloadHead(length, left);
    const max =
      tag === Tag.manifest
        ? MAX_MANIFEST_LENGTH
        : tag === Tag.certificateChain
          ? MAX_CHAIN_LENGTH
          : RAW_SIGNATURE_LENGTH;
    const min = tag === Tag.manufacturerSignature ? RAW_SIGNATURE_LENGTH : 1;
    if (length < min || length > max) {
      throw new OtaError(
        ImageError.elementLength,
        `sub-element 0x${hex4(tag)} of ${length} bytes (${min}..${max} accepted)`,
      );
    }
    this.want = this.offset + length;
    return 'data';
  }

  private onElementData(): State {
    const data = this.prefixBuf.subarray(this.prefixLen - (this.offset - this.elementStart), this.prefixLen);
    const tag = ELEMENT_ORDER[this.elementIndex];
    if (tag === Tag.manifest) {
      this.views.manifest = data;
      // Decoded now so that malformed input fails before any signature is computed.
      this.manifest = decodeManifest(data);
    } else if (tag === Tag.manufacturerSignature) this.views.signature = data;
    else this.views.chain = data;
    this.elementIndex++;
    return this.expectHead();
  }

  private onPayloadHead(length: number, left: number): State {
    const after = left - length;
    if (after !== 0 && after !== TRAILER_LENGTH) {
      throw new OtaError(
        ImageError.layout,
        `${after} bytes after the payload (0 or a ${TRAILER_LENGTH}-byte GBCS trailer allowed)`,
      );
    }
    if (length > this.bankSize)
      throw new OtaError(ImageError.tooLarge, `payload of ${length} bytes exceeds the ${this.bankSize}-byte bank`);
    // An empty payload is no firmware: refused here, before authentication asks for the first erase.
    if (length === 0 || this.manifest!.payloadLength === 0)
      throw new OtaError(ImageError.payloadEmpty, 'the payload is empty: nothing to write or boot');
    if (length !== this.manifest!.payloadLength) {
      throw new OtaError(
        ImageError.payloadLength,
        `payload element of ${length} bytes, the manifest says ${this.manifest!.payloadLength}`,
      );
    }
    this.elementIndex++;
    this.payloadStart = this.offset;
    this.payloadEnd = this.offset + length;
    this.want = this.payloadEnd;
    this.payloadHash = this.sha.create();
    return 'ready';
  }

  private onPayloadEnd(): State {
    return this.afterPayload();
  }

  private afterPayload(): State {
    if (!this.payloadHash) this.payloadHash = this.sha.create();
    const digest = this.payloadHash.digest();
    if (!equalBytes(digest, this.manifest!.payloadSha256)) {
      throw new OtaError(ImageError.payloadDigest, 'SHA-256 of the payload differs from the manifest');
    }
    this.miHash = this.imageHash!.digest();
    const total = this.header!.totalImageSize;
    if (this.offset === total) return 'complete';
    this.trailerBuf = new Uint8Array(TRAILER_LENGTH);
    this.want = total;
    return 'trailer';
  }

  private onTrailer(): State {
    if (this.trailerBuf![0] !== TRAILER_MARKER[0] || this.trailerBuf![1] !== TRAILER_MARKER[1]) {
      throw new OtaError(
        ImageError.trailer,
        `GBCS trailer starts ${hex2(this.trailerBuf![0])} ${hex2(this.trailerBuf![1])}, not 00 40`,
      );
    }
    return 'complete';
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
