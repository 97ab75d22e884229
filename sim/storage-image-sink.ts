/**
 * The ImageSink the emulated device uses: the test-image verifier (standing in for
 * device/image's streaming verifier) in front of device/storage's BankWriter, journal
 * and metadata record. It keeps the contract a production sink must keep:
 * - the OTA header and manifest region are held in RAM (one fixed buffer) and verified
 *   before anything touches flash; a manifest that does not verify is refused with
 *   INVALID_IMAGE and the bank is never erased;
 * - once verified it answers `need-approval`; approveErase() records progress at 0, opens
 *   the bank writer (its first erases) and keeps the manifest in the bank's metadata
 *   record, so a resume can check the payload against it again;
 * - progress goes to the journal (DOWNLOAD_PROGRESS) each time a sector is complete and on
 *   persist(); begin() for the same image resumes from it through BankWriter.resume
 *   (which re-hashes the bank), another image clears it and starts at 0;
 * - the payload is hashed as it streams; end() refuses a payload whose digest is not the
 *   manifest's (INVALID_IMAGE) and then has the writer verify the bank from flash.
 * RAM is bounded whatever the image size. No Node API: runs inside XS too.
 */
import { OtaError, asOtaError, isOtaError } from '../device/errors.js';
import type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from '../device/agent/index.js';
import type { BootControl, Bytes, Flash, Sha256, Sha256Context } from '../device/ports.js';
import {
  BankWriter,
  Journal,
  clearDownloadProgress,
  DownloadStage,
  readDownloadProgress,
  recordDownloadProgress,
  type DownloadStageValue,
  inactiveBank,
  type StorageLayout,
  readMetadata,
  writeMetadata,
} from '../device/storage/index.js';
import { equalBytes } from '../device/util/index.js';
import { OtaStatus } from '../device/zigbee/index.js';
import { TEST_PAYLOAD_OFFSET } from './test-image.js';
import { verifyTestHead, verifyTestManifest, type VerifiedHead } from './test-image-verifier.js';
import { TestImageError } from './test-image-errors.js';

export interface SinkPorts {
  flash: Flash;
  sha256: Sha256;
  boot: BootControl;
}

const refused = (error: OtaError, status: number = OtaStatus.invalidImage) => ({
  kind: 'refused' as const,
  error,
  status,
});

export class StorageImageSink implements ImageSink {
  private image: ImageIdentity | undefined;
  private journal: Journal | undefined;
  private received = 0;
  private readonly head = new Uint8Array(TEST_PAYLOAD_OFFSET);
  private verified: (VerifiedHead & { manifestDigest: Uint8Array }) | undefined;
  private writer: BankWriter | undefined;
  private hash: Sha256Context | undefined;
  private recordedSectors = 0;
  /** File offset begin() resumed from (0 for a fresh download). */
  resumedAt = 0;

  constructor(
    private readonly ports: SinkPorts,
    private readonly layout: StorageLayout,
  ) {}

  capacity(): number {
    return TEST_PAYLOAD_OFFSET + this.layout.banks[1].size;
  }

  begin(image: ImageIdentity): number {
    this.image = { ...image };
    this.received = 0;
    this.verified = undefined;
    this.writer = undefined;
    this.hash = undefined;
    this.resumedAt = 0;
    const journal = Journal.open(this.ports.flash, this.layout);
    this.journal = journal;
    const p = readDownloadProgress(journal);
    if (!p) return 0;
    const sameOffer =
      p.manufacturerCode === image.manufacturerCode &&
      p.imageType === image.imageType &&
      p.fileVersion === image.fileVersion &&
      TEST_PAYLOAD_OFFSET + p.payloadLength === image.imageSize;
    const bank = this.bankIndex();
    const manifest = sameOffer && p.bank === bank ? readMetadata(this.ports.flash, this.layout, bank) : undefined;
    let v: VerifiedHead | undefined;
    if (manifest && equalBytes(this.digest(manifest), p.manifestDigest)) {
      try {
        v = verifyTestManifest(manifest, image, this.ports.sha256);
      } catch {
        v = undefined;
      }
    }
    if (!v || v.payloadLength !== p.payloadLength) {
      // Another image, or this one without a manifest to check it against: start clean.
      clearDownloadProgress(journal);
      return 0;
    }
    this.verified = { ...v, manifestDigest: p.manifestDigest };
    this.hash = this.ports.sha256.create();
    this.writer = BankWriter.resume(this.ports, this.layout, v.payloadLength, p.payloadOffset, {
      hashInto: this.hash,
      onStepBack: (offset) => this.record(offset, DownloadStage.downloading),
    });
    this.recordedSectors = Math.floor(this.writer.offset / this.layout.sectorSize);
    this.received = TEST_PAYLOAD_OFFSET + this.writer.offset;
    this.resumedAt = this.received;
    return this.received;
  }

  write(fileOffset: number, bytes: Bytes): SinkWriteResult {
    const img = this.image;
    if (!img) return refused(new OtaError('SINK_NOT_BEGUN', 'write before begin'), OtaStatus.abort);
    if (fileOffset !== this.received)
      return refused(
        new OtaError('SINK_OUT_OF_ORDER', `write at ${fileOffset}, expected ${this.received}`),
        OtaStatus.abort,
      );
    if (fileOffset + bytes.length > img.imageSize)
      return refused(new OtaError('SINK_PAST_END', 'bytes beyond the offered size'));
    const headPart = Math.max(0, Math.min(bytes.length, TEST_PAYLOAD_OFFSET - fileOffset));
    if (headPart > 0) this.head.set(bytes.subarray(0, headPart), fileOffset);
    if (!this.writer) {
      if (fileOffset + headPart < TEST_PAYLOAD_OFFSET) {
        this.received += bytes.length;
        return { kind: 'ok' };
      }
      try {
        const v = verifyTestHead(this.head, img, this.ports.sha256, this.layout.banks[1].size);
        this.verified = { ...v, manifestDigest: this.digest(v.manifest) };
      } catch (e) {
        return refused(asOtaError(e, TestImageError.invalid));
      }
      return { kind: 'need-approval' };
    }
    if (bytes.length > headPart) {
      const payload = bytes.subarray(headPart);
      this.hash!.update(payload);
      this.writer.write(fileOffset + headPart - TEST_PAYLOAD_OFFSET, payload);
      const sectors = Math.floor(this.writer.durableOffset / this.layout.sectorSize);
      // One record per completed sector: a cut loses at most a sector's worth of blocks, and the journal needs no erase per record.
      if (sectors > this.recordedSectors) {
        this.recordedSectors = sectors;
        this.record(this.writer.durableOffset, DownloadStage.downloading);
      }
    }
    this.received += bytes.length;
    return { kind: 'ok' };
  }

  approveErase(): void {
    const v = this.verified;
    if (!v || this.writer) throw new OtaError('SINK_NOT_VERIFIED', 'erase approved before the manifest verified');
    // The record at 0 first: from here on a cut resumes (or restarts) this image, never trusts older bytes.
    this.record(0, DownloadStage.downloading);
    this.writer = BankWriter.begin(this.ports, this.layout, v.payloadLength);
    writeMetadata(this.ports, this.layout, v.manifest, {
      version: this.image!.fileVersion,
      length: v.payloadLength,
      digest: v.payloadDigest,
    });
    this.hash = this.ports.sha256.create();
    this.recordedSectors = 0;
  }

  persist(): void {
    if (!this.writer || !this.verified) return;
    this.record(this.writer.flush(), DownloadStage.downloading);
  }

  end(): SinkEndResult {
    const v = this.verified;
    if (!this.image || !v || !this.writer || !this.hash)
      return refused(new OtaError('SINK_NOT_BEGUN', 'end before the manifest'), OtaStatus.abort);
    if (this.received !== this.image.imageSize)
      return refused(
        new OtaError('SINK_INCOMPLETE', `${this.received} of ${this.image.imageSize} bytes`),
        OtaStatus.abort,
      );
    const streamed = this.hash.digest();
    this.hash = undefined;
    if (!equalBytes(streamed, v.payloadDigest))
      return refused(new OtaError(TestImageError.payloadDigest, 'payload does not match the manifest digest'));
    try {
      this.writer.finish(v.payloadDigest);
    } catch (e) {
      return refused(isOtaError(e) ? e : asOtaError(e, 'SINK_FAILED'), OtaStatus.abort);
    }
    this.record(v.payloadLength, DownloadStage.payloadComplete);
    return { kind: 'ok' };
  }

  private record(payloadOffset: number, stage: DownloadStageValue): void {
    const img = this.image!;
    const v = this.verified!;
    recordDownloadProgress(this.journal!, {
      manufacturerCode: img.manufacturerCode,
      imageType: img.imageType,
      fileVersion: img.fileVersion,
      manifestDigest: v.manifestDigest,
      fileOffset: TEST_PAYLOAD_OFFSET + payloadOffset,
      payloadOffset,
      payloadLength: v.payloadLength,
      bank: this.bankIndex(),
      stage,
    });
  }

  private bankIndex(): number {
    return inactiveBank(this.layout, this.ports.boot.runningBank()).index;
  }

  private digest(bytes: Uint8Array): Uint8Array {
    const c = this.ports.sha256.create();
    c.update(bytes);
    return c.digest();
  }
}
