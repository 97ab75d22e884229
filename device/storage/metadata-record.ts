/**
 * The metadata record of a bank: the signed manifest, signatures and certificate chain
 * that describe its payload, kept so the image can be verified again later. Opaque bytes
 * here; device/image owns their meaning.
 *
 *   0   u32 magic 0x444d4841 ("AHMD")   4 u32 body length   8 u32 CRC-32 of the body
 *   H   commit word (C3 5A 3C A5 …, writeAlign bytes)        H = 16 rounded to writeAlign
 *   H+C body
 * Write order: erase the record's sectors (those not already erased), program the body, then the header, then the
 * commit word, so a cut leaves either no record or the whole one. Only the inactive bank's
 * record can be written (through InactiveRegion).
 */
import { OtaError, asOtaError } from '../errors.js';
import type { BootControl, Flash } from '../ports.js';
import { equalBytes, readU32, writeU32 } from '../util/bytes.js';
import { crc32 } from '../util/crc32.js';
import { alignUp, readFlash, regionErased } from './flash-io.js';
import { InactiveRegion } from './inactive-region.js';
import type { StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

const MAGIC = 0x444d4841;
const COMMIT = [0xc3, 0x5a, 0x3c, 0xa5];

function geometry(layout: StorageLayout) {
  const headerSize = alignUp(16, layout.writeAlign);
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

/** Writes the inactive bank's metadata record (replacing whatever it held). */
export function writeMetadata(ports: { flash: Flash; boot: BootControl }, layout: StorageLayout, body: Uint8Array): void {
  const region = new InactiveRegion(ports.flash, layout, ports.boot);
  const g = geometry(layout);
  if (body.length === 0 || body.length > metadataCapacity(layout)) {
    throw new OtaError(StorageError.tooLarge, `metadata of ${body.length} bytes (capacity ${metadataCapacity(layout)})`);
  }
  try {
    // begin() already left these erased on the usual path: erase only what does not read erased.
    const scratch = new Uint8Array(256);
    for (let k = 0; k < region.bank.metaSectorCount; k++) {
      if (!regionErased(ports.flash, region.bank.metaOffset + k * layout.sectorSize, layout.sectorSize, scratch)) region.eraseMetaSector(k);
    }
    const padded = new Uint8Array(alignUp(body.length, layout.writeAlign)).fill(layout.erasedValue);
    padded.set(body);
    region.programMeta(g.bodyAt, padded);
    const header = new Uint8Array(g.headerSize).fill(layout.erasedValue);
    writeU32(header, 0, MAGIC);
    writeU32(header, 4, body.length);
    writeU32(header, 8, crc32(body));
    region.programMeta(0, header);
    region.programMeta(g.headerSize, commitWord(g.commitSize));
  } catch (e) {
    throw asOtaError(e, StorageError.flashWrite);
  }
  const back = readMetadata(ports.flash, layout, region.bank.index);
  if (!back || !equalBytes(back, body)) throw new OtaError(StorageError.verifyMismatch, 'metadata record reads back differently');
}

/** The committed metadata body of `bank`, or undefined when it has none (never written, torn, corrupt). */
export function readMetadata(flash: Flash, layout: StorageLayout, bank: number): Uint8Array | undefined {
  const b = layout.banks[bank === 1 ? 1 : 0];
  if (bank !== 0 && bank !== 1) throw new OtaError(StorageError.runningBank, `bank ${bank}`);
  const g = geometry(layout);
  try {
    const head = new Uint8Array(g.bodyAt);
    readFlash(flash, b.metaOffset, head);
    if (readU32(head, 0) !== MAGIC) return undefined;
    if (!equalBytes(head.subarray(g.headerSize, g.bodyAt), commitWord(g.commitSize))) return undefined;
    const length = readU32(head, 4);
    if (length === 0 || length > metadataCapacity(layout)) return undefined;
    const body = new Uint8Array(length);
    readFlash(flash, b.metaOffset + g.bodyAt, body);
    return crc32(body) === readU32(head, 8) ? body : undefined;
  } catch (e) {
    throw asOtaError(e, StorageError.flashRead);
  }
}
