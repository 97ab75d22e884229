/**
 * The metadata record of a bank: the signed manifest, signatures and certificate chain
 * that describe its payload, kept so the image can be verified again later (opaque bytes
 * here; device/image owns their meaning), and, in its header, the image's version, payload
 * length and payload SHA-256 in plain fields, so a bootloader that finds no valid
 * boot-control record can still tell which bank holds the newest image that verifies.
 *
 *   0   u32 magic 0x444d4841 ("AHMD")   4 u32 body length   8 u32 CRC-32 of the body
 *   12  u32 image version               16 u32 payload length
 *   20  32-byte payload SHA-256         52 u32 CRC-32 of bytes [0, 52)
 *   H   commit word (C3 5A 3C A5 …, writeAlign bytes)        H = 56 rounded to writeAlign
 *   H+C body
 * Write order: erase the record's sectors (those not already erased), program the body, then
 * the header, then the commit word, so a cut leaves either no record or the whole one: a
 * committed record's body is always whole. Only the inactive bank's record can be written
 * (through InactiveRegion), except by the factory (`provisionMetadata`).
 *
 * A record that cannot be read (a read fault anywhere in it) counts as no record.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { BootControl, Flash } from '../ports.js';
import { equalBytes, readU32, writeU32, crc32 } from '../util/index.js';
import { alignUp, eraseSector, programVerified, regionErased, tryRead } from './flash-io.js';
import { InactiveRegion } from './inactive-region.js';
import type { StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

const MAGIC = 0x444d4841;
const COMMIT = [0xc3, 0x5a, 0x3c, 0xa5];
const HEADER_BYTES = 56;

/** The image a metadata record describes (the fields a bootloader needs to verify the bank). */
export interface MetadataImage {
  version: number;
  /** Payload bytes in the bank, from its start. */
  length: number;
  /** SHA-256 of those bytes. */
  digest: Uint8Array;
}

function geometry(layout: StorageLayout) {
  const headerSize = alignUp(HEADER_BYTES, layout.writeAlign);
  const commitSize = alignUp(4, layout.writeAlign);
  return { headerSize, commitSize, bodyAt: headerSize + commitSize };
}

function commitWord(size: number): Uint8Array {
  const w = new Uint8Array(size);
  for (let i = 0; i < size; i++) w[i] = COMMIT[i & 3];
  return w;
}

/** Largest metadata body the layout holds. */
export function metadataCapacity(layout: StorageLayout): number {
  return layout.banks[0].metaSize - geometry(layout).bodyAt;
}

function encodeHeader(layout: StorageLayout, body: Uint8Array, image: MetadataImage): Uint8Array {
  if (body.length === 0 || body.length > metadataCapacity(layout)) {
    throw new OtaError(
      StorageError.tooLarge,
      `metadata of ${body.length} bytes (capacity ${metadataCapacity(layout)})`,
    );
  }
  if (image.digest.length !== 32) throw new OtaError(StorageError.journalRecord, 'metadata digest must be 32 bytes');
  const header = new Uint8Array(geometry(layout).headerSize).fill(layout.erasedValue);
  writeU32(header, 0, MAGIC);
  writeU32(header, 4, body.length);
  writeU32(header, 8, crc32(body));
  writeU32(header, 12, image.version >>> 0);
  writeU32(header, 16, image.length >>> 0);
  header.set(image.digest, 20);
  writeU32(header, 52, crc32(header, 0, 52));
  return header;
}

function padded(layout: StorageLayout, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(alignUp(body.length, layout.writeAlign)).fill(layout.erasedValue);
  out.set(body);
  return out;
}

/** Writes the inactive bank's metadata record (replacing whatever it held). */
export function writeMetadata(
  ports: { flash: Flash; boot: BootControl },
  layout: StorageLayout,
  body: Uint8Array,
  image: MetadataImage,
): void {
  const region = new InactiveRegion(ports.flash, layout, ports.boot);
  const g = geometry(layout);
  const header = encodeHeader(layout, body, image);
  try {
    // begin() already left these erased on the usual path: erase only what does not read erased.
    const scratch = new Uint8Array(256);
    for (let k = 0; k < region.bank.metaSectorCount; k++) {
      if (!regionErased(ports.flash, region.bank.metaOffset + k * layout.sectorSize, layout.sectorSize, scratch))
        region.eraseMetaSector(k);
    }
    region.programMeta(g.bodyAt, padded(layout, body));
    region.programMeta(0, header);
    region.programMeta(g.headerSize, commitWord(g.commitSize));
  } catch (e) {
    throw asOtaError(e, StorageError.flashWrite);
  }
  const back = readMetadata(ports.flash, layout, region.bank.index);
  if (!back || !equalBytes(back, body))
    throw new OtaError(StorageError.verifyMismatch, 'metadata record reads back differently');
}

/**
 * Factory step: programs `bank`'s metadata record directly (the production line writes the
 * first image; no bank is running yet). The record's sectors must read erased.
 */
export function provisionMetadata(
  flash: Flash,
  layout: StorageLayout,
  bank: 0 | 1,
  body: Uint8Array,
  image: MetadataImage,
): void {
  const b = layout.banks[bank];
  const g = geometry(layout);
  const header = encodeHeader(layout, body, image);
  for (let k = 0; k < b.metaSectorCount; k++) {
    if (!regionErased(flash, b.metaOffset + k * layout.sectorSize, layout.sectorSize, new Uint8Array(256)))
      eraseSector(flash, b.metaFirstSector + k);
  }
  programVerified(flash, b.metaOffset + g.bodyAt, padded(layout, body));
  programVerified(flash, b.metaOffset, header);
  programVerified(flash, b.metaOffset + g.headerSize, commitWord(g.commitSize));
}

/** The committed header of `bank`'s record: the image it describes, or undefined. */
export function readMetadataImage(flash: Flash, layout: StorageLayout, bank: number): MetadataImage | undefined {
  const head = readHead(flash, layout, bank);
  if (!head) return undefined;
  return { version: readU32(head, 12), length: readU32(head, 16), digest: head.slice(20, 52) };
}

/** The committed metadata body of `bank`, or undefined when it has none (never written, torn, corrupt, unreadable). */
export function readMetadata(flash: Flash, layout: StorageLayout, bank: number): Uint8Array | undefined {
  const head = readHead(flash, layout, bank);
  if (!head) return undefined;
  const body = new Uint8Array(readU32(head, 4));
  if (!tryRead(flash, layout.banks[bank === 1 ? 1 : 0].metaOffset + geometry(layout).bodyAt, body)) return undefined;
  return crc32(body) === readU32(head, 8) ? body : undefined;
}

function readHead(flash: Flash, layout: StorageLayout, bank: number): Uint8Array | undefined {
  if (bank !== 0 && bank !== 1) throw new OtaError(StorageError.runningBank, `bank ${bank}`);
  const b = layout.banks[bank];
  const g = geometry(layout);
  const head = new Uint8Array(g.bodyAt);
  if (!tryRead(flash, b.metaOffset, head)) return undefined;
  if (readU32(head, 0) !== MAGIC || crc32(head, 0, 52) !== readU32(head, 52)) return undefined;
  if (!equalBytes(head.subarray(g.headerSize, g.bodyAt), commitWord(g.commitSize))) return undefined;
  const length = readU32(head, 4);
  if (length === 0 || length > metadataCapacity(layout)) return undefined;
  return head;
}
