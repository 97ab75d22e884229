/**
 * The Zigbee OTA file header (REFERENCE.md §2). Nothing here is authenticated: the
 * verifier trusts a field only where the signed manifest repeats it.
 */
import type { Bytes } from '../ports.js';
import { OtaError } from '../errors.js';
import { readU16, readU32 } from '../util/index.js';
import { ImageError } from './image-errors.js';
import {
  FIELD_CONTROL_KNOWN,
  FieldControl,
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_BASE_LENGTH,
  OTA_HEADER_VERSION,
} from './image-format.js';

export interface OtaHeader {
  headerVersion: number;
  headerLength: number;
  fieldControl: number;
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  stackVersion: number;
  /** The 32 header-string bytes as stored (free text, often NUL padded). */
  headerString: Bytes;
  totalImageSize: number;
  securityCredentialVersion?: number;
  /** EUI-64 as stored (little-endian). */
  upgradeFileDestination?: Bytes;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
}

/** Bytes needed to know the header's length: identifier, version, length. */
export const HEADER_LENGTH_FIELD_END = 8;

function checkIdentifier(b: Bytes): void {
  if (readU32(b, 0) !== OTA_FILE_IDENTIFIER)
    throw new OtaError(ImageError.badMagic, 'not a Zigbee OTA file (identifier is not 0x0BEEF11E)');
}

/** Checks the identifier and version and returns the announced header length. */
export function readHeaderLength(b: Bytes): number {
  checkIdentifier(b);
  const version = readU16(b, 4);
  if (version !== OTA_HEADER_VERSION)
    throw new OtaError(ImageError.headerVersion, `header version 0x${version.toString(16)} (expected 0x0100)`);
  return readU16(b, 6);
}

/** Header length implied by the field control's option bits. */
export function expectedHeaderLength(fieldControl: number): number {
  let n = OTA_HEADER_BASE_LENGTH;
  if (fieldControl & FieldControl.securityCredentialVersion) n += 1;
  if (fieldControl & FieldControl.upgradeFileDestination) n += 8;
  if (fieldControl & FieldControl.hardwareVersions) n += 4;
  return n;
}

/** Parses a complete header (`b` holds at least the announced header length). */
export function parseOtaHeader(b: Bytes): OtaHeader {
  if (b.length >= 4) checkIdentifier(b);
  if (b.length < OTA_HEADER_BASE_LENGTH)
    throw new OtaError(ImageError.headerLength, `${b.length} bytes cannot hold an OTA header`);
  const headerLength = readHeaderLength(b);
  const fieldControl = readU16(b, 8);
  if (fieldControl & ~FIELD_CONTROL_KNOWN) {
    throw new OtaError(ImageError.fieldControl, `field control 0x${fieldControl.toString(16)} has undefined bits`);
  }
  const expected = expectedHeaderLength(fieldControl);
  if (headerLength !== expected) {
    throw new OtaError(
      ImageError.headerLength,
      `header length ${headerLength}, field control 0x${fieldControl.toString(16)} implies ${expected}`,
    );
  }
  if (b.length < headerLength)
    throw new OtaError(ImageError.headerLength, `header cut short at ${b.length} of ${headerLength} bytes`);
  const header: OtaHeader = {
    headerVersion: readU16(b, 4),
    headerLength,
    fieldControl,
    manufacturerCode: readU16(b, 10),
    imageType: readU16(b, 12),
    fileVersion: readU32(b, 14),
    stackVersion: readU16(b, 18),
    headerString: b.slice(20, 52),
    totalImageSize: readU32(b, 52),
  };
  let o = OTA_HEADER_BASE_LENGTH;
  if (fieldControl & FieldControl.securityCredentialVersion) header.securityCredentialVersion = b[o++];
  if (fieldControl & FieldControl.upgradeFileDestination) {
    header.upgradeFileDestination = b.slice(o, o + 8);
    o += 8;
  }
  if (fieldControl & FieldControl.hardwareVersions) {
    header.minHardwareVersion = readU16(b, o);
    header.maxHardwareVersion = readU16(b, o + 2);
  }
  return header;
}
