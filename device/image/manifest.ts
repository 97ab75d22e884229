/**
 * The signed manifest (sub-element 0xF100): a deterministic CBOR map with integer keys.
 *
 * Keys 0 and above are critical: a device refuses a manifest carrying one it does not
 * know, so a signer can add a constraint that old devices will never silently ignore.
 * Negative keys are informational (e.g. -1 a description) and are skipped.
 */
import type { Bytes } from '../ports.js';
import { OtaError, isOtaError } from '../errors.js';
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../util/index.js';
import { ImageError } from './image-errors.js';
import { MANIFEST_FORMAT_VERSION } from './image-format.js';

export const ManifestKey = {
  formatVersion: 1,
  manufacturerCode: 2,
  imageType: 3,
  fileVersion: 4,
  minHardwareVersion: 5,
  maxHardwareVersion: 6,
  payloadLength: 7,
  payloadSha256: 8,
  /** Informational: free text for people (never used in a decision). */
  description: -1,
} as const;

export interface Manifest {
  formatVersion: number;
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  minHardwareVersion: number;
  maxHardwareVersion: number;
  payloadLength: number;
  payloadSha256: Bytes;
  description?: string;
}

const KNOWN_CRITICAL = new Set<number>([1, 2, 3, 4, 5, 6, 7, 8]);

function uint(m: CborMap, key: number, name: string, max: number): number {
  const v = m.get(key);
  if (v === undefined) throw new OtaError(ImageError.manifestField, `manifest lacks ${name} (key ${key})`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new OtaError(
      ImageError.manifestField,
      `manifest ${name} (key ${key}) is not an unsigned integer up to ${max}`,
    );
  }
  return v;
}

/** Decodes the manifest strictly; every refusal is an OtaError with an IMG_MANIFEST_* code. */
export function decodeManifest(bytes: Bytes): Manifest {
  let value: CborValue;
  try {
    value = decodeCbor(bytes, { maxDepth: 4 });
  } catch (e) {
    const code = isOtaError(e) ? e.code : 'CBOR';
    throw new OtaError(ImageError.manifestEncoding, `manifest is not deterministic CBOR (${code})`);
  }
  if (!(value instanceof Map)) throw new OtaError(ImageError.manifestField, 'manifest is not a CBOR map');
  for (const key of value.keys()) {
    if (typeof key !== 'number')
      throw new OtaError(ImageError.manifestField, 'manifest has a text key (keys are integers)');
    if (key >= 0 && !KNOWN_CRITICAL.has(key))
      throw new OtaError(ImageError.manifestCritical, `unknown critical manifest key ${key}`);
  }
  const formatVersion = uint(value, ManifestKey.formatVersion, 'format version', 0xffff);
  if (formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new OtaError(
      ImageError.manifestVersion,
      `manifest format version ${formatVersion} (this device reads ${MANIFEST_FORMAT_VERSION})`,
    );
  }
  const digest = value.get(ManifestKey.payloadSha256);
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new OtaError(ImageError.manifestField, 'manifest payload SHA-256 (key 8) is not a 32-byte string');
  }
  const m: Manifest = {
    formatVersion,
    manufacturerCode: uint(value, ManifestKey.manufacturerCode, 'manufacturer code', 0xffff),
    imageType: uint(value, ManifestKey.imageType, 'image type', 0xffff),
    fileVersion: uint(value, ManifestKey.fileVersion, 'file version', 0xffffffff),
    minHardwareVersion: uint(value, ManifestKey.minHardwareVersion, 'minimum hardware version', 0xffff),
    maxHardwareVersion: uint(value, ManifestKey.maxHardwareVersion, 'maximum hardware version', 0xffff),
    payloadLength: uint(value, ManifestKey.payloadLength, 'payload length', 0xffffffff),
    payloadSha256: digest,
  };
  if (m.minHardwareVersion > m.maxHardwareVersion) {
    throw new OtaError(
      ImageError.manifestField,
      `manifest hardware range ${m.minHardwareVersion}..${m.maxHardwareVersion} is empty`,
    );
  }
  const description = value.get(ManifestKey.description);
  if (typeof description === 'string') m.description = description;
  return m;
}

/** Encodes a manifest deterministically (what a signer signs; tools and tests use it). */
export function encodeManifest(m: Omit<Manifest, 'formatVersion'> & { formatVersion?: number }): Bytes {
  const map: CborMap = new Map<number, CborValue>([
    [ManifestKey.formatVersion, m.formatVersion ?? MANIFEST_FORMAT_VERSION],
    [ManifestKey.manufacturerCode, m.manufacturerCode],
    [ManifestKey.imageType, m.imageType],
    [ManifestKey.fileVersion, m.fileVersion],
    [ManifestKey.minHardwareVersion, m.minHardwareVersion],
    [ManifestKey.maxHardwareVersion, m.maxHardwareVersion],
    [ManifestKey.payloadLength, m.payloadLength],
    [ManifestKey.payloadSha256, m.payloadSha256],
  ]);
  if (m.description !== undefined) map.set(ManifestKey.description, m.description);
  return encodeCbor(map);
}
