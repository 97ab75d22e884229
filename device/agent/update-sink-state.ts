/**
 * What UpdateSink (update-sink.ts) holds between calls, and the bookkeeping every path shares:
 * the download-progress record in the journal (one per completed sector), the image session
 * it opens, the held image, and which bank is being written. update-sink.ts keeps the
 * ImageSink calls and the resume path.
 */
import { OtaError } from '../errors.js';
import { ImageSession, type VerifiedImage, type DeviceIdentity, type Manifest, ImageError } from '../image/index.js';
import type { PkiCrypto, TrustStore } from '../pki/index.js';
import type { BootControl, Clock, Flash, P256Verifier, Sha256 } from '../ports.js';
import {
  type BankWriter,
  bootStatus,
  type Journal,
  clearDownloadProgress,
  DownloadStage,
  readDownloadProgress,
  recordDownloadProgress,
  type DownloadStageValue,
  inactiveBank,
  type StorageLayout,
} from '../storage/index.js';
import { OtaStatus } from '../zigbee/index.js';
import type { ImageIdentity } from './image-sink.js';
import type { HeldImage } from './activation.js';

export interface UpdateSinkPorts {
  flash: Flash;
  boot: BootControl;
  sha256: Sha256;
  p256: P256Verifier;
  clock?: Clock;
}

/** A verified image held in the inactive bank, with what activation needs. */
export interface HeldBankImage extends HeldImage {
  payloadLength: number;
  payloadDigest: Uint8Array;
  bank: number;
  supplierCell: string | undefined;
}

export const refused = (error: OtaError, status: number = OtaStatus.invalidImage) => ({
  kind: 'refused' as const,
  error,
  status,
});

/** The sink's state and shared bookkeeping; UpdateSink adds the ImageSink calls. */
export abstract class SinkState {
  protected image: ImageIdentity | undefined;
  protected journal: Journal | undefined;
  protected session: ImageSession | undefined;
  protected writer: BankWriter | undefined;
  /** File offset the client is owed next (the session may have taken more: the prefix part of a block that hit need-approval). */
  protected clientOffset = 0;
  protected payloadFileOffset = 0;
  protected manifestDigest: Uint8Array | undefined;
  protected recordedSectors = 0;
  /** Set once end() (or a resume of a complete image) verified everything. */
  held: HeldBankImage | undefined;
  /** File offset begin() resumed from after a reboot (0 for a fresh download): bytes below it were read back from the bank. */
  resumedAt = 0;
  /** A write or end failed since begin: the next begin resumes from the journal, never from RAM. */
  protected failed = false;

  constructor(
    protected readonly ports: UpdateSinkPorts,
    protected readonly layout: StorageLayout,
    protected readonly trust: TrustStore,
    protected readonly device: DeviceIdentity,
  ) {}

  protected reset(): void {
    this.session = undefined;
    this.writer = undefined;
    this.held = undefined;
    this.manifestDigest = undefined;
    this.clientOffset = 0;
    this.payloadFileOffset = 0;
    this.resumedAt = 0;
    this.recordedSectors = 0;
    this.failed = false;
  }

  protected newSession(): ImageSession {
    let now;
    try {
      now = this.ports.clock?.wallTime();
    } catch {
      now = undefined; // without a trusted time validity is skipped (and said so), never guessed
    }
    return new ImageSession({
      crypto: this.crypto(),
      trust: this.trust,
      device: this.device,
      bankSize: this.layout.banks[1].size,
      now,
      sink: { write: (offset, bytes) => this.writer!.write(offset, bytes) },
    });
  }

  protected hold(v: VerifiedImage, bank: number): void {
    this.held = {
      fileVersion: v.header.fileVersion,
      manufacturerImageHash: v.manufacturerImageHash,
      payloadLength: v.payloadLength,
      payloadDigest: v.manifest.payloadSha256,
      bank,
      supplierCell: v.supplierCell,
    };
  }

  protected writerOpen(): boolean {
    try {
      return (
        this.writer!.offset + this.payloadFileOffset === this.clientOffset &&
        this.session!.fileOffset === this.clientOffset
      );
    } catch {
      return false;
    }
  }

  protected forgetProgress(): void {
    try {
      if (this.writer && readDownloadProgress(this.journal!)) clearDownloadProgress(this.journal!);
    } catch {
      // a failing journal leaves the record; the next begin re-verifies it
    }
  }

  protected recordSectors(): void {
    const w = this.writer;
    if (!w) return;
    const durable = w.durableOffset;
    const sectorSize = this.layout.sectorSize;
    // One record per completed sector: a cut loses at most a sector's worth of blocks, and the journal needs no erase per record.
    // (Tested without a division first: this runs for every block.)
    if (durable < (this.recordedSectors + 1) * sectorSize) return;
    this.recordedSectors = Math.floor(durable / sectorSize);
    this.record(durable, w.payloadLength, DownloadStage.downloading);
  }

  protected record(payloadOffset: number, payloadLength: number, stage: DownloadStageValue): void {
    const img = this.image!;
    recordDownloadProgress(this.journal!, {
      manufacturerCode: img.manufacturerCode,
      imageType: img.imageType,
      fileVersion: img.fileVersion,
      manifestDigest: this.manifestDigest!,
      fileOffset: this.payloadFileOffset + payloadOffset,
      payloadOffset,
      payloadLength,
      bank: this.bankIndex(),
      stage,
    });
  }

  protected inactiveWritable(): boolean {
    return bootStatus(this.ports, this.layout).kind === 'confirmed';
  }

  protected bankIndex(): number {
    return inactiveBank(this.layout, this.ports.boot.runningBank()).index;
  }

  protected crypto(): PkiCrypto {
    return { sha256: this.ports.sha256, p256: this.ports.p256 };
  }

  protected digest(bytes: Uint8Array): Uint8Array {
    const c = this.ports.sha256.create();
    c.update(bytes);
    return c.digest();
  }
}

export function sameIdentity(a: ImageIdentity, b: ImageIdentity): boolean {
  return (
    a.manufacturerCode === b.manufacturerCode &&
    a.imageType === b.imageType &&
    a.fileVersion === b.fileVersion &&
    a.imageSize === b.imageSize
  );
}

/** The verified manifest of an authenticated session. */
export function manifestOf(session: ImageSession): Manifest {
  const m = session.manifest;
  if (!m) throw new OtaError(ImageError.state, 'no verified manifest yet');
  return m;
}
