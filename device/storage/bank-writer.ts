/**
 * Streams a payload into the inactive bank, the way Zephyr's stream_flash does: bytes are
 * gathered in a small buffer and programmed in aligned pieces, each sector is erased just
 * before the first piece that lands in it (never a bulk erase that stalls the device),
 * and every piece is read back.
 *
 * Usage (the OTA client; payload offsets are bank offsets, payload byte 0 at bank byte 0):
 *
 *   const w = BankWriter.begin(ports, layout, payloadLength);          // a new image
 *   const w = BankWriter.resume(ports, layout, payloadLength, journalOffset, { hashInto });
 *   // resume: w.offset is where the payload must continue (≤ journalOffset; see below);
 *   // `hashInto` (e.g. the image verifier's payload SHA-256) is fed bank bytes [0, w.offset).
 *   w.write(w.offset, chunk) ...                                      // in order, any sizes
 *   const durable = w.flush();   // then record `durable` in the journal's progress record
 *   const digest = w.finish(manifestDigest);                          // pads, re-hashes from flash
 *
 * Resume and NOR: after a cut the bank may hold programmed or torn bytes past the last
 * recorded offset, and a byte that does not read erased may not be programmed again. So
 * resume continues at the recorded offset only when the rest of its sector reads erased;
 * otherwise it goes back to the start of that sector, which it erases again before use
 * (at most one sector is downloaded twice), after `onStepBack` has recorded the lower
 * offset. Sectors past it are erased before use anyway.
 *
 * The same holds for `begin`: a progress record that still names this image must be
 * cleared or rewritten at offset 0 before `begin` erases what it vouches for.
 *
 * Any failure leaves the writer failed (further calls throw STORAGE_WRITER_STATE): the
 * bytes the failed call touched are unknown, and the way on is `resume` from the last
 * progress record, or `begin` again.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { BootControl, Flash, Sha256, Sha256Context } from '../ports.js';
import { equalBytes } from '../util/index.js';
import { feedFromFlash } from './bank-hash.js';
import { readFlash, regionErased } from './flash-io.js';
import { InactiveRegion } from './inactive-region.js';
import type { StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

export interface BankWriterPorts {
  flash: Flash;
  sha256: Sha256;
  boot: BootControl;
}

export interface BankWriterOptions {
  /** Bytes gathered before a program (default 256); rounded to the write alignment, at most one sector. */
  bufferSize?: number;
}

export interface ResumeOptions extends BankWriterOptions {
  /** Also fed bank bytes [0, offset) on resume, e.g. the image verifier's payload hash. */
  hashInto?: Sha256Context;
  /**
   * Called with the lower offset, before anything is erased, when resume must step back to
   * the start of a sector: the caller records progress at that offset, because the bytes
   * between it and the old record are about to be erased, and a record still vouching for
   * them would resume over erased bytes after the next cut. Resume refuses to step back
   * (STORAGE_WRITER_STATE) without it.
   */
  onStepBack?: (payloadOffset: number) => void;
}

type WriterState = 'open' | 'finished' | 'failed';

export class BankWriter {
  /** The bank being written (never the running one). */
  readonly bank: 0 | 1;
  private readonly region: InactiveRegion;
  private readonly buffer: Uint8Array;
  private readonly readBack: Uint8Array;
  private readonly align: number;
  private readonly sectorSize: number;
  private readonly erasedValue: number;
  /** Payload offset of buffer[0]; everything before it is programmed and read back. */
  private bufStart: number;
  private bufLen = 0;
  /** Sectors below this payload offset are erased (or hold what this writer programmed). */
  private erasedUpTo: number;
  private readonly inputHash: Sha256Context;
  private state: WriterState = 'open';

  private constructor(
    private readonly ports: BankWriterPorts,
    layout: StorageLayout,
    readonly payloadLength: number,
    start: number,
    erasedUpTo: number,
    options: BankWriterOptions,
    region: InactiveRegion,
  ) {
    this.region = region;
    this.bank = region.bank.index;
    this.align = layout.writeAlign;
    this.sectorSize = layout.sectorSize;
    this.erasedValue = layout.erasedValue;
    let size = options.bufferSize ?? 256;
    size = Math.max(this.align, Math.min(this.sectorSize, Math.floor(size / this.align) * this.align));
    // Pieces never straddle a sector: the size must divide the sector size.
    while (this.sectorSize % size !== 0) size -= this.align;
    this.buffer = new Uint8Array(size);
    this.readBack = new Uint8Array(size);
    this.bufStart = start;
    this.erasedUpTo = erasedUpTo;
    this.inputHash = ports.sha256.create();
  }

  /** Starts a new image in the inactive bank. Its stale metadata record is invalidated first. */
  static begin(
    ports: BankWriterPorts,
    layout: StorageLayout,
    payloadLength: number,
    options: BankWriterOptions = {},
  ): BankWriter {
    const region = new InactiveRegion(ports.flash, layout, ports.boot);
    checkLength(payloadLength, region);
    const w = new BankWriter(ports, layout, payloadLength, 0, 0, options, region);
    w.guard(() => invalidateMetadata(region, w.readBack));
    return w;
  }

  /**
   * Reopens the inactive bank at `payloadOffset` (the journal's last recorded offset).
   * `offset` afterwards says where the payload must continue, which may be lower.
   */
  static resume(
    ports: BankWriterPorts,
    layout: StorageLayout,
    payloadLength: number,
    payloadOffset: number,
    options: ResumeOptions = {},
  ): BankWriter {
    const region = new InactiveRegion(ports.flash, layout, ports.boot);
    checkLength(payloadLength, region);
    if (!Number.isInteger(payloadOffset) || payloadOffset < 0 || payloadOffset > payloadLength) {
      throw new OtaError(StorageError.writerState, `resume offset ${payloadOffset} outside 0..${payloadLength}`);
    }
    const s = layout.sectorSize;
    let at = Math.floor(payloadOffset / layout.writeAlign) * layout.writeAlign;
    const sectorStart = Math.floor(at / s) * s;
    let erasedUpTo = sectorStart;
    let stepBack = false;
    const scratch = new Uint8Array(256);
    try {
      // The rest of this sector must read erased to be programmed; if not, redo the sector.
      if (at !== sectorStart) {
        if (regionErased(ports.flash, region.bank.offset + at, sectorStart + s - at, scratch))
          erasedUpTo = sectorStart + s;
        else {
          at = sectorStart;
          stepBack = true;
        }
      }
    } catch (e) {
      throw asOtaError(e, StorageError.flashRead);
    }
    if (stepBack) {
      if (!options.onStepBack)
        throw new OtaError(
          StorageError.writerState,
          `resume must step back to ${at}; pass onStepBack to record it first`,
        );
      try {
        options.onStepBack(at);
      } catch (e) {
        throw asOtaError(e, StorageError.flashWrite);
      }
    }
    const w = new BankWriter(ports, layout, payloadLength, at, erasedUpTo, options, region);
    const contexts = options.hashInto ? [w.inputHash, options.hashInto] : [w.inputHash];
    w.guard(() => feedFromFlash(ports.flash, region.bank.offset, at, contexts, scratch));
    return w;
  }

  /** The payload offset the next `write` must start at. */
  get offset(): number {
    return this.bufStart + this.bufLen;
  }

  /** Payload bytes [0, durableOffset) are programmed and read back: the offset to record. */
  get durableOffset(): number {
    return this.bufStart;
  }

  /** Appends payload bytes; `payloadOffset` must equal `offset` (no gaps, no overlap). */
  write(payloadOffset: number, chunk: Uint8Array): void {
    this.mustBeOpen();
    if (payloadOffset !== this.offset) {
      throw new OtaError(StorageError.writerState, `write at ${payloadOffset}, expected ${this.offset}`);
    }
    if (this.offset + chunk.length > this.payloadLength) {
      throw new OtaError(StorageError.tooLarge, `payload passes its length ${this.payloadLength}`);
    }
    this.guard(() => {
      this.inputHash.update(chunk);
      let i = 0;
      while (i < chunk.length) {
        const n = Math.min(chunk.length - i, this.buffer.length - this.bufLen);
        this.buffer.set(chunk.subarray(i, i + n), this.bufLen);
        this.bufLen += n;
        i += n;
        if (this.bufLen === this.buffer.length) this.programBuffered(this.bufLen);
      }
    });
  }

  /** Programs every whole aligned unit buffered; returns `durableOffset`. */
  flush(): number {
    this.mustBeOpen();
    this.guard(() => this.programBuffered(Math.floor(this.bufLen / this.align) * this.align));
    return this.durableOffset;
  }

  /**
   * Programs the tail (padded with the erased value), then re-reads the whole payload
   * from flash: its SHA-256 must equal that of the bytes written (and `expectedDigest`
   * when given). Returns the digest.
   */
  finish(expectedDigest?: Uint8Array): Uint8Array {
    this.mustBeOpen();
    if (this.offset !== this.payloadLength) {
      throw new OtaError(StorageError.writerState, `finish at ${this.offset} of ${this.payloadLength}`);
    }
    return this.guard(() => {
      if (this.bufLen > 0) {
        const padded = Math.ceil(this.bufLen / this.align) * this.align;
        this.buffer.fill(this.erasedValue, this.bufLen, padded);
        this.programBuffered(padded);
        this.bufStart = this.payloadLength;
        this.bufLen = 0;
      }
      const wanted = this.inputHash.digest();
      const fromFlash = this.ports.sha256.create();
      feedFromFlash(this.ports.flash, this.region.bank.offset, this.payloadLength, [fromFlash], this.readBack);
      const got = fromFlash.digest();
      if (!equalBytes(got, wanted))
        throw new OtaError(StorageError.verifyMismatch, 'bank digest differs from the bytes written');
      if (expectedDigest && !equalBytes(got, expectedDigest)) {
        throw new OtaError(StorageError.verifyMismatch, 'bank digest differs from the expected digest');
      }
      this.state = 'finished';
      return got;
    });
  }

  /** Programs buffer[0, n) at bufStart (erasing ahead as needed) and keeps the rest buffered. */
  private programBuffered(n: number): void {
    if (n === 0) return;
    const end = this.bufStart + n;
    while (this.erasedUpTo < end) {
      this.region.eraseBankSector(this.erasedUpTo / this.sectorSize);
      this.erasedUpTo += this.sectorSize;
    }
    const piece = this.buffer.subarray(0, n);
    this.region.programBank(this.bufStart, piece);
    const back = this.readBack.subarray(0, n);
    readFlash(this.ports.flash, this.region.bank.offset + this.bufStart, back);
    if (!equalBytes(back, piece))
      throw new OtaError(StorageError.verifyMismatch, `read-back differs in bank ${this.bank} at ${this.bufStart}`);
    this.bufStart = end;
    this.buffer.copyWithin(0, n, this.bufLen);
    this.bufLen -= n;
  }

  private mustBeOpen(): void {
    if (this.state !== 'open') throw new OtaError(StorageError.writerState, `bank writer is ${this.state}`);
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.state = 'failed';
      throw asOtaError(e, StorageError.flashWrite);
    }
  }
}

function checkLength(payloadLength: number, region: InactiveRegion): void {
  if (!Number.isInteger(payloadLength) || payloadLength <= 0 || payloadLength > region.bank.size) {
    throw new OtaError(
      StorageError.tooLarge,
      `payload of ${payloadLength} bytes does not fit bank of ${region.bank.size}`,
    );
  }
}

/** Erases the metadata sectors that do not already read erased, so old metadata never describes a new payload. */
function invalidateMetadata(region: InactiveRegion, scratch: Uint8Array): void {
  const b = region.bank;
  const s = region.layout.sectorSize;
  for (let k = 0; k < b.metaSectorCount; k++) {
    if (!regionErased(region.flash, b.metaOffset + k * s, s, scratch)) region.eraseMetaSector(k);
  }
}
