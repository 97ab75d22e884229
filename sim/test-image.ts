/**
 * Plain test OTA files for the download tests (signed images are device/image's): a Zigbee
 * OTA header, a 0xF100 "manifest" sub-element, then the 0x0000 payload sub-element.
 *
 * The test manifest (TEST_MANIFEST_BYTES): "TSTM", manufacturer (2), image type (2), file
 * version (4), payload length (4), SHA-256 of the payload (32), and a tag (32) =
 * SHA-256(TEST_SIGNING_KEY ‖ the 48 bytes before it). The tag stands in for the
 * manufacturer signature: only a holder of the key makes a manifest the test sink accepts.
 * Same layout rules as the real format (exactly these sub-elements, in this order, sizes
 * adding up to the header's total), so zigbee-herdsman's OTA parser reads it too.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8Encode, writeU16, writeU32 } from '../device/util/index.js';

export const OTA_FILE_ID = 0x0beef11e;
export const OTA_HEADER_BYTES = 56;
export const TAG_MANIFEST = 0xf100;
export const TAG_PAYLOAD = 0x0000;
export const TEST_MANIFEST_BYTES = 80;
export const TEST_SIGNING_KEY = utf8Encode('althan-ota test manifest key');

export interface TestImageSpec {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  payload: Uint8Array;
  /** Signs with another key (an unauthenticated manifest). */
  wrongKey?: boolean;
  /** Puts a wrong payload digest in an otherwise valid manifest. */
  wrongDigest?: boolean;
}

export function testManifest(spec: TestImageSpec): Uint8Array {
  const m = new Uint8Array(TEST_MANIFEST_BYTES);
  m.set(utf8Encode('TSTM'), 0);
  writeU16(m, 4, spec.manufacturerCode);
  writeU16(m, 6, spec.imageType);
  writeU32(m, 8, spec.fileVersion);
  writeU32(m, 12, spec.payload.length);
  const digest = sha256(spec.payload);
  if (spec.wrongDigest) digest[0] ^= 1;
  m.set(digest, 16);
  m.set(manifestTag(m.subarray(0, 48), spec.wrongKey ? utf8Encode('not the key') : TEST_SIGNING_KEY), 48);
  return m;
}

export function manifestTag(body: Uint8Array, key: Uint8Array = TEST_SIGNING_KEY): Uint8Array {
  return sha256(concatBytes(key, body));
}

function subElement(tag: number, data: Uint8Array): Uint8Array {
  const h = new Uint8Array(6);
  writeU16(h, 0, tag);
  writeU32(h, 2, data.length);
  return concatBytes(h, data);
}

/** The whole OTA file. */
export function buildTestImage(spec: TestImageSpec): Uint8Array {
  const body = concatBytes(subElement(TAG_MANIFEST, testManifest(spec)), subElement(TAG_PAYLOAD, spec.payload));
  const h = new Uint8Array(OTA_HEADER_BYTES);
  writeU32(h, 0, OTA_FILE_ID);
  writeU16(h, 4, 0x0100);
  writeU16(h, 6, OTA_HEADER_BYTES);
  writeU16(h, 8, 0);
  writeU16(h, 10, spec.manufacturerCode);
  writeU16(h, 12, spec.imageType);
  writeU32(h, 14, spec.fileVersion);
  writeU16(h, 18, 2);
  h.set(utf8Encode('althan-ota test image').subarray(0, 32), 20);
  writeU32(h, 52, OTA_HEADER_BYTES + body.length);
  return concatBytes(h, body);
}

/** Offset of the first payload byte in a test image. */
export const TEST_PAYLOAD_OFFSET = OTA_HEADER_BYTES + 6 + TEST_MANIFEST_BYTES + 6;
