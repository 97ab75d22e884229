/**
 * The device's ImageSink: the streaming image session (device/image) in front of the
 * storage bank writer, metadata record and journal (device/storage).
 *
 * - Header, manifest, manufacturer signature and chain are verified by the session before
 *   anything touches flash; the image's version must also pass the boot record (rollback
 *   floor, a reverted image's digest). Only then `need-approval`; approveErase() records
 *   progress at 0, opens the bank writer (its first erases) and keeps the prefix in the
 *   inactive bank's metadata record.
 * - The payload is hashed by the session as it streams and written by the bank writer;
 *   progress goes to the journal each time a sector is complete and on persist().
 * - end(): the session checks the payload digest and the GBCS trailer against either
 *   Supplier cell; the writer re-reads the bank; the trailer goes to the journal
 *   (HELD_TRAILER) and the progress record to "payload complete".
 * - begin() for the image in progress resumes: the prefix is read back from the metadata
 *   record and authenticated again, and the bank's bytes are re-hashed into the session
 *   (no hash state is ever persisted). A complete image is verified again, trailer
 *   included, and begin() answers its full size.
 * RAM: the session's bounded prefix buffer and the writer's 256-byte buffers, whatever
 * the image size.
 */
import { OtaError, asOtaError, isOtaError } from '../errors.js';
import {
  type ImageSession,
  type VerifiedImage,
  MAX_PREFIX_LENGTH,
  TRAILER_LENGTH,
  ImageError,
} from '../image/index.js';
import type { Bytes, Sha256Context } from '../ports.js';
import {
  BankWriter,
  bootStatus,
  isRefused,
  readFlash,
  Journal,
  clearDownloadProgress,
  DownloadStage,
  readDownloadProgress,
  type DownloadStageValue,
  readMetadata,
  writeMetadata,
  StorageError,
} from '../storage/index.js';
import { equalBytes } from '../util/index.js';
import { OtaStatus } from '../zigbee/index.js';
import { readHeldTrailer, recordHeldTrailer } from './held-record.js';
import type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from './image-sink.js';
import { SinkError } from './agent-errors.js';
import { isImageRefusal } from './retry-policy.js';
import { manifestOf, refused, sameIdentity, SinkState } from './update-sink-state.js';

export type { HeldBankImage, UpdateSinkPorts } from './update-sink-state.js';

/** The answers without a payload, shared: one object per block is garbage XS must collect. */
const OK: SinkWriteResult = Object.freeze({ kind: 'ok' });
const NEED_APPROVAL: SinkWriteResult = Object.freeze({ kind: 'need-approval' });

export class UpdateSink extends SinkState implements ImageSink {
  capacity(): number {
    return MAX_PREFIX_LENGTH + this.layout.banks[1].size + TRAILER_LENGTH;
  }

  begin(image: ImageIdentity): number {
    // The same image offered again in the same boot (the client gave up on a bad link, then queried again):
    // carry on from what RAM holds, so no sector is downloaded twice.
    // Not after a failure: the writer or session that failed is never trusted again; the journal says where to resume.
    if (
      this.image &&
      this.writer &&
      this.session &&
      !this.held &&
      !this.failed &&
      this.writerOpen() &&
      sameIdentity(this.image, image)
    )
      return this.clientOffset;
    this.reset();
    this.image = { ...image };
    const journal = Journal.open(this.ports.flash, this.layout);
    this.journal = journal;
    if (!this.inactiveWritable())
      throw new OtaError(StorageError.trialPending, 'a trial is pending: the other bank is the fallback');
    const p = readDownloadProgress(journal);
    if (!p) return this.startClean();
    const bank = this.bankIndex();
    const sameOffer =
      p.manufacturerCode === image.manufacturerCode &&
      p.imageType === image.imageType &&
      p.fileVersion === image.fileVersion &&
      p.bank === bank;
    const prefix = sameOffer ? readMetadata(this.ports.flash, this.layout, bank) : undefined;
    if (!prefix || !equalBytes(this.digest(prefix), p.manifestDigest)) return this.startClean();
    try {
      const offset = this.resume(prefix, p.payloadOffset, p.payloadLength, p.stage);
      this.resumedAt = offset;
      this.clientOffset = offset;
      return offset;
    } catch (e) {
      const err = asOtaError(e, SinkError.failed);
      // A bad image (or one refused since) starts clean; a failing port is the caller's to retry.
      if (!isImageRefusal(err) && !isOtaError(err, StorageError.verifyMismatch)) throw err;
      return this.startClean();
    }
  }

  write(fileOffset: number, bytes: Bytes): SinkWriteResult {
    const img = this.image;
    const session = this.session;
    if (!img || !session) return refused(new OtaError(SinkError.notBegun, 'write before begin'), OtaStatus.abort);
    if (this.held) return refused(new OtaError(SinkError.complete, 'the image is already complete'), OtaStatus.abort);
    if (fileOffset !== this.clientOffset)
      return refused(
        new OtaError(SinkError.outOfOrder, `write at ${fileOffset}, expected ${this.clientOffset}`),
        OtaStatus.abort,
      );
    if (fileOffset + bytes.length > img.imageSize)
      return refused(new OtaError(SinkError.pastEnd, 'bytes beyond the offered size'));
    // Bytes the session already took (the prefix part of a block that asked for approval) are not pushed twice.
    const skip = session.fileOffset - fileOffset;
    if (skip < 0 || skip > bytes.length)
      return refused(
        new OtaError(SinkError.outOfOrder, `session at ${session.fileOffset}, block at ${fileOffset}`),
        OtaStatus.abort,
      );
    if (!this.writer && session.authenticated && skip < bytes.length) return NEED_APPROVAL;
    // Views are made only where a push took part of what it was given: a payload block is
    // pushed as it came, and each view is an allocation (and a share of a GC) on XS.
    let rest = skip === 0 ? bytes : bytes.subarray(skip);
    try {
      while (rest.length > 0) {
        const r = session.push(rest);
        if (r.event === 'authenticated') {
          rest = rest.subarray(r.consumed);
          this.onAuthenticated();
          if (rest.length > 0 || !this.writer) return NEED_APPROVAL;
        } else if (r.consumed === 0 || r.consumed === rest.length) break;
        else rest = rest.subarray(r.consumed);
      }
    } catch (e) {
      return this.refuse(asOtaError(e, SinkError.failed));
    }
    this.clientOffset += bytes.length;
    this.recordSectors();
    return OK;
  }

  approveErase(): void {
    const session = this.session;
    if (!session?.authenticated || this.writer || !this.manifestDigest)
      throw new OtaError(SinkError.notVerified, 'erase approved before the manifest verified');
    if (!this.inactiveWritable())
      throw new OtaError(StorageError.trialPending, 'a trial is pending: the other bank is the fallback');
    const prefix = session.prefix();
    const manifest = manifestOf(session);
    const payloadLength = manifest.payloadLength;
    this.payloadFileOffset = prefix.length;
    // The record at 0 first: from here on a cut resumes (or restarts) this image, never trusts older bytes.
    this.record(0, payloadLength, DownloadStage.downloading);
    this.writer = BankWriter.begin(this.ports, this.layout, payloadLength);
    writeMetadata(this.ports, this.layout, prefix, {
      version: manifest.fileVersion,
      length: payloadLength,
      digest: manifest.payloadSha256,
    });
    this.recordedSectors = 0;
  }

  persist(): void {
    if (!this.writer || this.held) return;
    this.record(this.writer.flush(), this.writer.payloadLength, DownloadStage.downloading);
  }

  end(): SinkEndResult {
    if (this.held) return { kind: 'ok' };
    const session = this.session;
    const writer = this.writer;
    if (!this.image || !session || !writer)
      return refused(new OtaError(SinkError.notBegun, 'end before the manifest'), OtaStatus.abort);
    if (this.clientOffset !== this.image.imageSize)
      return refused(
        new OtaError(SinkError.incomplete, `${this.clientOffset} of ${this.image.imageSize} bytes`),
        OtaStatus.abort,
      );
    let v: VerifiedImage;
    try {
      v = session.finish();
    } catch (e) {
      return this.refuse(asOtaError(e, SinkError.failed));
    }
    try {
      writer.finish(v.manifest.payloadSha256);
      if (v.trailer)
        recordHeldTrailer(this.journal!, {
          fileVersion: v.header.fileVersion,
          manifestDigest: this.manifestDigest!,
          trailer: v.trailer,
        });
      this.record(v.payloadLength, v.payloadLength, DownloadStage.payloadComplete);
    } catch (e) {
      this.failed = true;
      return refused(asOtaError(e, SinkError.failed), OtaStatus.abort);
    }
    this.hold(v, writer.bank);
    return { kind: 'ok' };
  }

  /** Forgets the download (after a refusal, a revert or a confirmation). */
  discard(): void {
    const journal = this.journal ?? Journal.open(this.ports.flash, this.layout);
    if (readDownloadProgress(journal)) clearDownloadProgress(journal);
    this.reset();
  }

  // ----------------------------------------------------------------------- internals

  private startClean(): number {
    if (readDownloadProgress(this.journal!)) clearDownloadProgress(this.journal!);
    this.session = this.newSession();
    this.clientOffset = 0;
    return 0;
  }

  /** Re-authenticates the stored prefix and re-hashes the bank; returns the file offset to continue from. */
  private resume(prefix: Uint8Array, payloadOffset: number, payloadLength: number, stage: DownloadStageValue): number {
    const session = this.newSession();
    const r = session.push(prefix);
    if (r.event !== 'authenticated' || r.consumed !== prefix.length)
      throw new OtaError(ImageError.state, 'stored prefix does not end at the payload');
    this.session = session;
    this.payloadFileOffset = prefix.length;
    this.onAuthenticated();
    if (stage !== DownloadStage.downloading && payloadOffset === payloadLength)
      return this.resumeComplete(session, payloadLength);
    // The writer feeds the bank's bytes back through the session: one read re-hashes both.
    const into: Sha256Context = {
      update: (data) => {
        session.push(data, { stored: true });
      },
      digest: () => new Uint8Array(32),
    };
    this.writer = BankWriter.resume(this.ports, this.layout, payloadLength, payloadOffset, {
      hashInto: into,
      onStepBack: (offset) => this.record(offset, payloadLength, DownloadStage.downloading),
    });
    this.recordedSectors = Math.floor(this.writer.offset / this.layout.sectorSize);
    return this.payloadFileOffset + this.writer.offset;
  }

  /** A complete image: verify it all again from flash (payload, then the journalled trailer). */
  private resumeComplete(session: ImageSession, payloadLength: number): number {
    const bank = this.layout.banks[this.bankIndex()];
    const piece = new Uint8Array(256);
    for (let o = 0; o < payloadLength; o += piece.length) {
      const view = piece.subarray(0, Math.min(piece.length, payloadLength - o));
      readFlash(this.ports.flash, bank.offset + o, view);
      session.push(view, { stored: true });
    }
    if (this.hasTrailer(this.payloadFileOffset)) {
      const t = readHeldTrailer(this.journal!);
      if (!t || t.fileVersion !== this.image!.fileVersion || !equalBytes(t.manifestDigest, this.manifestDigest!)) {
        throw new OtaError(ImageError.truncated, 'the held image has no recorded trailer');
      }
      session.push(t.trailer);
    }
    const v = session.finish();
    this.hold(v, bank.index);
    return this.image!.imageSize;
  }

  /** At "manifest verified": the boot record's floor and refusal apply before any erase. */
  private onAuthenticated(): void {
    const session = this.session!;
    const prefix = session.prefix();
    this.manifestDigest = this.digest(prefix);
    const header = session.header!;
    const record = bootStatus(this.ports, this.layout).record;
    // The manifest's payload digest is what the boot record keeps of a reverted image.
    const payloadDigest = manifestOf(session).payloadSha256;
    if (isRefused(record, header.fileVersion, payloadDigest)) {
      throw new OtaError(
        StorageError.refused,
        `version 0x${header.fileVersion.toString(16)} is below the floor or was reverted before`,
      );
    }
  }

  private hasTrailer(prefixLength: number): boolean {
    const total = this.session?.header?.totalImageSize ?? this.image?.imageSize ?? 0;
    const payloadLength = this.session?.authenticated ? manifestOf(this.session).payloadLength : 0;
    return total - prefixLength - payloadLength === TRAILER_LENGTH;
  }

  private refuse(err: OtaError): SinkWriteResult & SinkEndResult {
    this.failed = true;
    // A resumed payload that misses its digest may be the bank's fault (bytes changed in flash), not the image's:
    // forget the progress and fetch it whole again, without refusing the image.
    if (err.code === ImageError.payloadDigest && this.resumedAt > 0) {
      this.forgetProgress();
      return refused(
        new OtaError(SinkError.resumeCorrupt, 'the resumed bank bytes do not match the manifest digest'),
        OtaStatus.abort,
      );
    }
    if (isImageRefusal(err)) {
      // The bank holds nothing worth resuming: forget it so a re-offer does not resume into the same refusal.
      this.forgetProgress();
      return refused(err, OtaStatus.invalidImage);
    }
    return refused(err, OtaStatus.abort);
  }
}
