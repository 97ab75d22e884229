/**
 * The power-on check of the running image (IMG.REPLACE at boot): the running bank's
 * SHA-256, read from flash, against the boot record's slot, and against the signed
 * manifest in the bank's metadata record when it has one. A factory image may carry no
 * metadata record: the boot record's digest (which the bootloader checked too) stands.
 * Throws OtaError when flash cannot be read; false when the image does not match.
 */
import { decodeManifest } from '../image/index.js';
import type { Flash, Sha256 } from '../ports.js';
import { hashFlash, type ImageSlot, type StorageLayout, readMetadata } from '../storage/index.js';
import { equalBytes, readU16, readU32 } from '../util/index.js';

/** OTA header: the header length field sits at byte 6; the manifest element (tag 2 + length 4) follows the header. */
const HEADER_LENGTH_AT = 6;
const ELEMENT_HEAD = 6;

export function runningImageMatches(
  ports: { flash: Flash; sha256: Sha256 },
  layout: StorageLayout,
  slot: ImageSlot,
): boolean {
  const bank = layout.banks[slot.bank === 1 ? 1 : 0];
  if (slot.length === 0 || slot.length > bank.size) return false;
  const digest = hashFlash(ports.flash, ports.sha256, bank.offset, slot.length);
  if (!equalBytes(digest, slot.digest)) return false;
  const prefix = readMetadata(ports.flash, layout, bank.index);
  if (!prefix) return true;
  const at = readU16(prefix, HEADER_LENGTH_AT);
  const m = decodeManifest(prefix.subarray(at + ELEMENT_HEAD, at + ELEMENT_HEAD + readU32(prefix, at + 2)));
  return m.fileVersion === slot.version && m.payloadLength === slot.length && equalBytes(m.payloadSha256, slot.digest);
}
