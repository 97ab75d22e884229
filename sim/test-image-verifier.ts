/**
 * Verifies the head of a plain test image (test-image.ts): OTA header, 0xF100 manifest
 * with its keyed tag, and the 0x0000 payload sub-element header, against the identity the
 * server offered. A stand-in for device/image's manifest verification in the download tests.
 */
import { OtaError } from '../device/errors.js';
import type { ImageIdentity } from '../device/agent/index.js';
import type { Sha256 } from '../device/ports.js';
import { equalBytes, readU16, readU32 } from '../device/util/index.js';
import {
  OTA_FILE_ID,
  OTA_HEADER_BYTES,
  TAG_MANIFEST,
  TAG_PAYLOAD,
  TEST_MANIFEST_BYTES,
  TEST_PAYLOAD_OFFSET,
  TEST_SIGNING_KEY,
} from './test-image.js';
import { TestImageError, type TestImageErrorCode } from './test-image-errors.js';

export interface VerifiedHead {
  manifest: Uint8Array;
  payloadLength: number;
  payloadDigest: Uint8Array;
}

/** Checks the first TEST_PAYLOAD_OFFSET bytes; throws OtaError naming the first fault. */
export function verifyTestHead(head: Uint8Array, img: ImageIdentity, sha256: Sha256, bankSize: number): VerifiedHead {
  const fail = (code: TestImageErrorCode, message: string): never => {
    throw new OtaError(code, message);
  };
  if (head.length < TEST_PAYLOAD_OFFSET) fail(TestImageError.header, 'head incomplete');
  if (readU32(head, 0) !== OTA_FILE_ID || readU16(head, 6) !== OTA_HEADER_BYTES)
    fail(TestImageError.header, 'not a test OTA header');
  if (
    readU16(head, 10) !== img.manufacturerCode ||
    readU16(head, 12) !== img.imageType ||
    readU32(head, 14) !== img.fileVersion ||
    readU32(head, 52) !== img.imageSize
  ) {
    fail(TestImageError.headerMismatch, 'header does not name the offered image');
  }
  if (readU16(head, OTA_HEADER_BYTES) !== TAG_MANIFEST || readU32(head, OTA_HEADER_BYTES + 2) !== TEST_MANIFEST_BYTES)
    fail(TestImageError.layout, 'manifest sub-element missing');
  const m = head.subarray(OTA_HEADER_BYTES + 6, OTA_HEADER_BYTES + 6 + TEST_MANIFEST_BYTES);
  const v = verifyTestManifest(m, img, sha256);
  const t = OTA_HEADER_BYTES + 6 + TEST_MANIFEST_BYTES;
  if (
    readU16(head, t) !== TAG_PAYLOAD ||
    readU32(head, t + 2) !== v.payloadLength ||
    TEST_PAYLOAD_OFFSET + v.payloadLength !== img.imageSize
  ) {
    fail(TestImageError.layout, 'payload sub-element does not match the manifest and size');
  }
  if (v.payloadLength > bankSize) fail(TestImageError.tooLarge, 'payload larger than the bank');
  return v;
}

/** Checks a test manifest's tag and identity (also used on resume, from the metadata record). */
export function verifyTestManifest(
  m: Uint8Array,
  img: Pick<ImageIdentity, 'manufacturerCode' | 'imageType' | 'fileVersion'>,
  sha256: Sha256,
): VerifiedHead {
  if (m.length !== TEST_MANIFEST_BYTES) throw new OtaError(TestImageError.manifest, `manifest of ${m.length} bytes`);
  const hash = sha256.create();
  hash.update(TEST_SIGNING_KEY);
  hash.update(m.subarray(0, 48));
  if (!equalBytes(hash.digest(), m.subarray(48, 80)))
    throw new OtaError(TestImageError.manifestSignature, 'manifest tag does not verify');
  if (readU16(m, 4) !== img.manufacturerCode || readU16(m, 6) !== img.imageType || readU32(m, 8) !== img.fileVersion) {
    throw new OtaError(TestImageError.manifestMismatch, 'signed manifest names another image');
  }
  return { manifest: m.slice(), payloadLength: readU32(m, 12), payloadDigest: m.slice(16, 48) };
}
