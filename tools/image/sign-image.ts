/**
 * Builds a signed GB OTA file (docs/FORMAT.md) with the device's own encoders: manifest,
 * manufacturer signature over SHA-256(manifest), chain, payload, then the supplier
 * signature over SHA-256(Manufacturer Image) in the GBCS trailer.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeChain, Tag, encodeManifest, type Manifest } from '../../device/image/index.js';
import { assembleOtaFile, encodeElement, encodeTrailer, type HeaderFields } from './ota-writer.js';
import { concatBytes } from '../../device/util/index.js';

/** Signs a 32-byte digest, returning raw r‖s (64 bytes). */
export type DigestSigner = (digest: Uint8Array) => Uint8Array;

export interface ImageSpec {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  minHardwareVersion: number;
  maxHardwareVersion: number;
  payload: Uint8Array;
  description?: string;
  headerString?: string;
  /** Repeat the hardware range in the OTA header (as the CH checks it there). Default true. */
  headerHardwareVersions?: boolean;
}

export interface ImageKeys {
  manufacturer: DigestSigner;
  /** Manufacturer chain, leaf first, DER, without the anchor. */
  chain: Uint8Array[];
  /** Absent: no GBCS trailer (only for policies that allow it). */
  supplier?: DigestSigner;
}

export interface SignedImage {
  file: Uint8Array;
  manifest: Uint8Array;
  manifestSignature: Uint8Array;
  /** Everything after the header up to the trailer. */
  manufacturerImage: Uint8Array;
  manufacturerImageHash: Uint8Array;
  supplierSignature?: Uint8Array;
}

export function headerFieldsOf(spec: ImageSpec): HeaderFields {
  const h: HeaderFields = {
    manufacturerCode: spec.manufacturerCode,
    imageType: spec.imageType,
    fileVersion: spec.fileVersion,
    headerString: spec.headerString ?? `althan-ota ${spec.fileVersion.toString(16)}`,
  };
  if (spec.headerHardwareVersions !== false) {
    h.minHardwareVersion = spec.minHardwareVersion;
    h.maxHardwareVersion = spec.maxHardwareVersion;
  }
  return h;
}

export function manifestOf(spec: ImageSpec): Omit<Manifest, 'formatVersion'> {
  const m: Omit<Manifest, 'formatVersion'> = {
    manufacturerCode: spec.manufacturerCode,
    imageType: spec.imageType,
    fileVersion: spec.fileVersion,
    minHardwareVersion: spec.minHardwareVersion,
    maxHardwareVersion: spec.maxHardwareVersion,
    payloadLength: spec.payload.length,
    payloadSha256: sha256(spec.payload),
  };
  if (spec.description !== undefined) m.description = spec.description;
  return m;
}

export function signImage(spec: ImageSpec, keys: ImageKeys): SignedImage {
  const manifest = encodeManifest(manifestOf(spec));
  const manifestSignature = keys.manufacturer(sha256(manifest));
  if (manifestSignature.length !== 64) throw new Error('manufacturer signer must return 64-byte r‖s');
  const elements = [
    { tag: Tag.manifest, data: manifest },
    { tag: Tag.manufacturerSignature, data: manifestSignature },
    { tag: Tag.certificateChain, data: encodeChain(keys.chain) },
    { tag: Tag.payload, data: spec.payload },
  ];
  const manufacturerImage = concatBytes(...elements.map(encodeElement));
  const manufacturerImageHash = sha256(manufacturerImage);
  let supplierSignature: Uint8Array | undefined;
  if (keys.supplier) {
    supplierSignature = keys.supplier(manufacturerImageHash);
    if (supplierSignature.length !== 64) throw new Error('supplier signer must return 64-byte r‖s');
  }
  const file = assembleOtaFile(
    headerFieldsOf(spec),
    elements,
    supplierSignature ? encodeTrailer(supplierSignature) : undefined,
  );
  return { file, manifest, manifestSignature, manufacturerImage, manufacturerImageHash, supplierSignature };
}
