/**
 * Writes the byte layout of an OTA file (header, sub-elements, GBCS trailer). No signing
 * and no policy: sign-image.ts decides what goes in; tests use this to build malformed
 * files on purpose.
 */
import { concatBytes, utf8Encode, writeU16, writeU32 } from '../../device/util/index.js';
import {
  ELEMENT_HEAD_LENGTH,
  FieldControl,
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_VERSION,
  TRAILER_MARKER,
} from '../../device/image/index.js';
import { expectedHeaderLength } from '../../device/image/index.js';

export interface HeaderFields {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  stackVersion?: number;
  headerString?: string;
  securityCredentialVersion?: number;
  upgradeFileDestination?: Uint8Array;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
}

export interface Element {
  tag: number;
  data: Uint8Array;
}

export function encodeElement(e: Element): Uint8Array {
  const out = new Uint8Array(ELEMENT_HEAD_LENGTH + e.data.length);
  writeU16(out, 0, e.tag);
  writeU32(out, 2, e.data.length);
  out.set(e.data, ELEMENT_HEAD_LENGTH);
  return out;
}

/** The header for a file of `totalImageSize` bytes. */
export function encodeOtaHeader(h: HeaderFields, totalImageSize: number): Uint8Array {
  let fc = 0;
  if (h.securityCredentialVersion !== undefined) fc |= FieldControl.securityCredentialVersion;
  if (h.upgradeFileDestination !== undefined) fc |= FieldControl.upgradeFileDestination;
  if (h.minHardwareVersion !== undefined || h.maxHardwareVersion !== undefined) fc |= FieldControl.hardwareVersions;
  const length = expectedHeaderLength(fc);
  const b = new Uint8Array(length);
  writeU32(b, 0, OTA_FILE_IDENTIFIER);
  writeU16(b, 4, OTA_HEADER_VERSION);
  writeU16(b, 6, length);
  writeU16(b, 8, fc);
  writeU16(b, 10, h.manufacturerCode);
  writeU16(b, 12, h.imageType);
  writeU32(b, 14, h.fileVersion >>> 0);
  writeU16(b, 18, h.stackVersion ?? 2);
  b.set(utf8Encode(h.headerString ?? '').subarray(0, 32), 20);
  writeU32(b, 52, totalImageSize);
  let o = 56;
  if (fc & FieldControl.securityCredentialVersion) b[o++] = h.securityCredentialVersion!;
  if (fc & FieldControl.upgradeFileDestination) {
    b.set(h.upgradeFileDestination!.subarray(0, 8), o);
    o += 8;
  }
  if (fc & FieldControl.hardwareVersions) {
    writeU16(b, o, h.minHardwareVersion ?? 0);
    writeU16(b, o + 2, h.maxHardwareVersion ?? 0xffff);
  }
  return b;
}

export function encodeTrailer(signature: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.from(TRAILER_MARKER), signature);
}

/** Header + elements (+ trailer), the header's total size set to the result's length. */
export function assembleOtaFile(h: HeaderFields, elements: Element[], trailer?: Uint8Array): Uint8Array {
  const body = concatBytes(...elements.map(encodeElement));
  const headerLength = encodeOtaHeader(h, 0).length;
  const total = headerLength + body.length + (trailer?.length ?? 0);
  return concatBytes(encodeOtaHeader(h, total), body, trailer ?? new Uint8Array(0));
}
