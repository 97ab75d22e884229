/**
 * A test ImageSink standing in for the Trust workstream's streaming verifier and the
 * Storage workstream's bank writer until they are wired together. It models the contract
 * the real one must keep:
 * - the OTA header and the manifest region are held in RAM (a fixed, small buffer) and
 *   verified before anything touches flash; a manifest that does not verify is refused
 *   with INVALID_IMAGE and the bank is never erased;
 * - once verified it answers `need-approval`; only after approveErase() does it erase the
 *   inactive bank (sector by sector, just ahead of the data) and program the payload;
 * - progress goes to a SimProgressStore (standing in for the journal) at every sector
 *   boundary and on persist(); on begin() for the same image it re-hashes what the bank
 *   holds and resumes, for another image it forgets the old progress;
 * - end() checks the payload digest against the manifest.
 * RAM is bounded (header buffer, one alignment word, a 256-byte read buffer) whatever the
 * image size. No Node API: it runs inside XS too.
 */
import { OtaError } from '../../device/errors.js';
import type { Bytes, Flash, Sha256, Sha256Context } from '../../device/ports.js';
import type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from '../../device/agent/image-sink.js';
import { OtaStatus } from '../../device/zigbee/ota-constants.js';
import { equalBytes, readU16, readU32 } from '../../device/util/bytes.js';
import { OTA_FILE_ID, OTA_HEADER_BYTES, TAG_MANIFEST, TAG_PAYLOAD, TEST_MANIFEST_BYTES, TEST_PAYLOAD_OFFSET, TEST_SIGNING_KEY } from './test-image.js';

export interface ProgressRecord {
  image: ImageIdentity;
  /** Payload bytes programmed into the bank and recorded. */
  payloadOffset: number;
  manifest: Uint8Array;
}

/** Survives reboots, like the journal in flash. */
export class SimProgressStore {
  record: ProgressRecord | undefined;
  writes = 0;
  save(r: ProgressRecord): void {
    this.record = { image: { ...r.image }, payloadOffset: r.payloadOffset, manifest: r.manifest.slice() };
    this.writes++;
  }
  clear(): void {
    if (this.record) this.writes++;
    this.record = undefined;
  }
}

export interface BankLayout {
  /** Byte offset of the inactive bank in the flash. */
  bankOffset: number;
  bankSize: number;
}

const REFUSE = (code: string, message: string, status: number = OtaStatus.invalidImage): { kind: 'refused'; error: OtaError; status: number } => ({
  kind: 'refused',
  error: new OtaError(code, message),
  status,
});

export class TestImageSink implements ImageSink {
  private image: ImageIdentity | undefined;
  private received = 0;
  private readonly head = new Uint8Array(TEST_PAYLOAD_OFFSET);
  private verified = false;
  private approved = false;
  private payloadLength = 0;
  private manifest: Uint8Array | undefined;
  private hash: Sha256Context | undefined;
  /** Payload bytes programmed into the bank. */
  private programmed = 0;
  private tail: Uint8Array;
  private tailLength = 0;
  /** Bank sectors erased so far in this download. */
  private erasedSectors = 0;
  /** Flash operations issued (for tests: zero until approval). */
  erases = 0;
  programs = 0;
  resumedAt = 0;

  constructor(
    private readonly flash: Flash,
    private readonly store: SimProgressStore,
    private readonly sha256: Sha256,
    private readonly layout: BankLayout,
  ) {
    this.tail = new Uint8Array(flash.writeAlign);
  }

  capacity(): number {
    return TEST_PAYLOAD_OFFSET + this.layout.bankSize;
  }

  begin(image: ImageIdentity): number {
    this.reset();
    this.image = { ...image };
    const r = this.store.record;
    if (!r || !sameImage(r.image, image)) {
      this.store.clear();
      return 0;
    }
    // Same image: resume after re-checking the bank. Bytes programmed after the last record
    // may sit past its offset; if any are not erased, go back to the start of that sector.
    const sector = this.flash.sectorSize;
    let offset = r.payloadOffset;
    if (!this.erasedFrom(offset)) offset = Math.floor(offset / sector) * sector;
    this.erasedSectors = offset % sector === 0 ? offset / sector : Math.ceil(offset / sector);
    this.manifest = r.manifest.slice();
    this.payloadLength = readU32(this.manifest, 12);
    this.hash = this.sha256.create();
    this.rehash(offset);
    this.programmed = offset;
    this.verified = this.approved = true;
    this.received = TEST_PAYLOAD_OFFSET + offset;
    this.resumedAt = this.received;
    return this.received;
  }

  write(fileOffset: number, bytes: Bytes): SinkWriteResult {
    const img = this.image;
    if (!img) return REFUSE('SINK_NOT_BEGUN', 'write before begin', OtaStatus.abort);
    if (fileOffset !== this.received) return REFUSE('SINK_OUT_OF_ORDER', `write at ${fileOffset}, expected ${this.received}`, OtaStatus.abort);
    if (fileOffset + bytes.length > img.imageSize) return REFUSE('SINK_PAST_END', 'bytes beyond the offered size');
    const headPart = Math.max(0, Math.min(bytes.length, TEST_PAYLOAD_OFFSET - fileOffset));
    if (headPart > 0) this.head.set(bytes.subarray(0, headPart), fileOffset);
    if (!this.approved) {
      if (fileOffset + headPart < TEST_PAYLOAD_OFFSET) {
        this.received += bytes.length;
        return { kind: 'ok' };
      }
      const fault = this.verifyHead(img);
      if (fault) return fault;
      this.verified = true;
      return { kind: 'need-approval' };
    }
    if (bytes.length > headPart) this.takePayload(bytes.subarray(headPart));
    this.received += bytes.length;
    return { kind: 'ok' };
  }

  approveErase(): void {
    if (!this.verified) throw new OtaError('SINK_NOT_VERIFIED', 'erase approved before the manifest verified');
    this.approved = true;
  }

  persist(): void {
    if (!this.image || !this.approved || !this.manifest) return;
    this.store.save({ image: this.image, payloadOffset: this.programmed, manifest: this.manifest });
  }

  end(): SinkEndResult {
    if (!this.image || !this.hash || !this.manifest) return REFUSE('SINK_NOT_BEGUN', 'end before the manifest', OtaStatus.abort);
    if (this.received !== this.image.imageSize) return REFUSE('SINK_INCOMPLETE', `${this.received} of ${this.image.imageSize} bytes`, OtaStatus.abort);
    if (this.tailLength > 0) {
      const pad = new Uint8Array(this.flash.writeAlign).fill(this.flash.erasedValue);
      pad.set(this.tail.subarray(0, this.tailLength));
      this.program(this.programmed, pad);
      this.programmed += this.tailLength;
      this.tailLength = 0;
    }
    this.persist();
    const digest = this.hash.digest();
    this.hash = undefined;
    if (!equalBytes(digest, this.manifest.subarray(16, 48))) return REFUSE('IMAGE_PAYLOAD_DIGEST', 'payload does not match the manifest digest');
    return { kind: 'ok' };
  }

  // ---------------------------------------------------------------------------------------

  private reset(): void {
    this.received = 0;
    this.verified = this.approved = false;
    this.manifest = undefined;
    this.hash = undefined;
    this.programmed = 0;
    this.tailLength = 0;
    this.erasedSectors = 0;
    this.resumedAt = 0;
  }

  private verifyHead(img: ImageIdentity): SinkWriteResult | undefined {
    const h = this.head;
    if (readU32(h, 0) !== OTA_FILE_ID || readU16(h, 6) !== OTA_HEADER_BYTES) return REFUSE('IMAGE_HEADER', 'not a test OTA header');
    if (readU16(h, 10) !== img.manufacturerCode || readU16(h, 12) !== img.imageType || readU32(h, 14) !== img.fileVersion || readU32(h, 52) !== img.imageSize) {
      return REFUSE('IMAGE_HEADER_MISMATCH', 'header does not name the offered image');
    }
    if (readU16(h, OTA_HEADER_BYTES) !== TAG_MANIFEST || readU32(h, OTA_HEADER_BYTES + 2) !== TEST_MANIFEST_BYTES) return REFUSE('IMAGE_LAYOUT', 'manifest sub-element missing');
    const m = h.subarray(OTA_HEADER_BYTES + 6, OTA_HEADER_BYTES + 6 + TEST_MANIFEST_BYTES);
    const ctx = this.sha256.create();
    ctx.update(TEST_SIGNING_KEY);
    ctx.update(m.subarray(0, 48));
    if (!equalBytes(ctx.digest(), m.subarray(48, 80))) return REFUSE('IMAGE_MANIFEST_SIGNATURE', 'manifest tag does not verify');
    if (readU16(m, 4) !== img.manufacturerCode || readU16(m, 6) !== img.imageType || readU32(m, 8) !== img.fileVersion) {
      return REFUSE('IMAGE_MANIFEST_MISMATCH', 'signed manifest names another image');
    }
    const payloadLength = readU32(m, 12);
    const t = OTA_HEADER_BYTES + 6 + TEST_MANIFEST_BYTES;
    if (readU16(h, t) !== TAG_PAYLOAD || readU32(h, t + 2) !== payloadLength || TEST_PAYLOAD_OFFSET + payloadLength !== img.imageSize) {
      return REFUSE('IMAGE_LAYOUT', 'payload sub-element does not match the manifest and size');
    }
    if (payloadLength > this.layout.bankSize) return REFUSE('IMAGE_TOO_LARGE', 'payload larger than the bank');
    this.manifest = m.slice();
    this.payloadLength = payloadLength;
    this.hash = this.sha256.create();
    return undefined;
  }

  private takePayload(data: Uint8Array): void {
    this.hash!.update(data);
    const a = this.flash.writeAlign;
    let i = 0;
    // Complete the alignment word first, then program whole words straight from the block.
    if (this.tailLength > 0) {
      while (this.tailLength < a && i < data.length) this.tail[this.tailLength++] = data[i++];
      if (this.tailLength < a) return;
      this.programAndAdvance(this.tail.slice());
      this.tailLength = 0;
    }
    const whole = Math.floor((data.length - i) / a) * a;
    if (whole > 0) this.programAndAdvance(data.subarray(i, i + whole));
    i += whole;
    while (i < data.length) this.tail[this.tailLength++] = data[i++];
  }

  private programAndAdvance(chunk: Uint8Array): void {
    const sector = this.flash.sectorSize;
    const before = Math.floor(this.programmed / sector);
    this.program(this.programmed, chunk);
    this.programmed += chunk.length;
    // A record per finished sector: a cut loses at most one sector's worth of blocks.
    if (Math.floor(this.programmed / sector) > before) this.persist();
  }

  private program(payloadOffset: number, chunk: Uint8Array): void {
    const sector = this.flash.sectorSize;
    const lastSector = Math.floor((payloadOffset + chunk.length - 1) / sector);
    while (this.erasedSectors <= lastSector) {
      this.flash.erase(this.layout.bankOffset / sector + this.erasedSectors);
      this.erasedSectors++;
      this.erases++;
    }
    this.flash.program(this.layout.bankOffset + payloadOffset, chunk);
    this.programs++;
  }

  /** True when the bank is erased from payload offset `from` to the end of its sector. */
  private erasedFrom(from: number): boolean {
    const sector = this.flash.sectorSize;
    const end = Math.min(this.layout.bankSize, Math.ceil((from + 1) / sector) * sector);
    const buf = new Uint8Array(256);
    for (let o = from; o < end; o += buf.length) {
      const n = Math.min(buf.length, end - o);
      const view = buf.subarray(0, n);
      this.flash.read(this.layout.bankOffset + o, view);
      for (let i = 0; i < n; i++) if (view[i] !== this.flash.erasedValue) return false;
    }
    return true;
  }

  /** Re-hashes the bank's first `length` payload bytes (no hash state is ever persisted). */
  private rehash(length: number): void {
    const buf = new Uint8Array(256);
    for (let o = 0; o < length; o += buf.length) {
      const view = buf.subarray(0, Math.min(buf.length, length - o));
      this.flash.read(this.layout.bankOffset + o, view);
      this.hash!.update(view);
    }
  }
}

function sameImage(a: ImageIdentity, b: ImageIdentity): boolean {
  return a.manufacturerCode === b.manufacturerCode && a.imageType === b.imageType && a.fileVersion === b.fileVersion && a.imageSize === b.imageSize;
}
