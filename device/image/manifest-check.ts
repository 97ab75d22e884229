/**
 * The decisions taken at "manifest ready", before the bank is touched: the manifest
 * against the header and the device, the version policy, then the manufacturer chain
 * and signature. Cheap comparisons run first so that a wrong image costs no signature
 * verification (battery).
 */
import type { Bytes, WallTime } from '../ports.js';
import { OtaError, asOtaError } from '../errors.js';
import { PkiError, type PkiCrypto, type TrustStore, type VerifiedChain } from '../pki/index.js';
import { decodeChain } from './chain-codec.js';
import { ImageError } from './image-errors.js';
import type { ImagePki } from './image-pki.js';
import type { ImagePolicy } from './image-policy.js';
import type { Manifest } from './manifest.js';
import type { OtaHeader } from './ota-header.js';
import { rawSignatureVerifies } from './raw-signature.js';

/** What the device is and runs: the image must be for it and newer. */
export interface DeviceIdentity {
  manufacturerCode: number;
  imageType: number;
  hardwareVersion: number;
  /** The running firmware's file version (or the rollback floor, whichever is higher). */
  currentVersion: number;
}

export interface ManifestEvidence {
  header: OtaHeader;
  manifest: Manifest;
  manifestBytes: Bytes;
  signature: Bytes;
  chainBytes: Bytes;
  hasTrailer: boolean;
}

export interface ManifestCheckContext {
  device: DeviceIdentity;
  trust: TrustStore;
  crypto: PkiCrypto;
  pki: ImagePki;
  policy: ImagePolicy;
  now?: WallTime;
}

/** Header fields the signed manifest repeats must be identical (the header is unsigned). */
export function checkHeaderAgainstManifest(h: OtaHeader, m: Manifest): void {
  const pairs: [string, number, number][] = [
    ['manufacturer code', h.manufacturerCode, m.manufacturerCode],
    ['image type', h.imageType, m.imageType],
    ['file version', h.fileVersion, m.fileVersion],
  ];
  if (h.minHardwareVersion !== undefined) {
    pairs.push(['minimum hardware version', h.minHardwareVersion, m.minHardwareVersion]);
    pairs.push(['maximum hardware version', h.maxHardwareVersion ?? -1, m.maxHardwareVersion]);
  }
  for (const [name, inHeader, inManifest] of pairs) {
    if (inHeader !== inManifest) {
      throw new OtaError(
        ImageError.headerMismatch,
        `header ${name} 0x${inHeader.toString(16)} differs from the signed manifest's 0x${inManifest.toString(16)}`,
      );
    }
  }
}

export function checkManifestForDevice(m: Manifest, device: DeviceIdentity, policy: ImagePolicy): void {
  if (m.manufacturerCode !== device.manufacturerCode) {
    throw new OtaError(
      ImageError.wrongManufacturer,
      `image for manufacturer 0x${m.manufacturerCode.toString(16)}, device is 0x${device.manufacturerCode.toString(16)}`,
    );
  }
  if (m.imageType !== device.imageType) {
    throw new OtaError(
      ImageError.wrongImageType,
      `image type 0x${m.imageType.toString(16)}, device takes 0x${device.imageType.toString(16)}`,
    );
  }
  if (device.hardwareVersion < m.minHardwareVersion || device.hardwareVersion > m.maxHardwareVersion) {
    throw new OtaError(
      ImageError.hwVersion,
      `hardware version ${device.hardwareVersion} outside ${m.minHardwareVersion}..${m.maxHardwareVersion}`,
    );
  }
  const v = m.fileVersion >>> 0;
  const current = device.currentVersion >>> 0;
  const ok = v > current || (v === current && policy.allowSameVersion) || (v < current && policy.allowDowngrade);
  if (!ok) {
    throw new OtaError(
      ImageError.downgrade,
      `file version 0x${v.toString(16)} is not newer than the running 0x${current.toString(16)}`,
    );
  }
}

/** Validates the chain to the manufacturer anchor and the signature over the manifest. */
export function checkManufacturerSignature(e: ManifestEvidence, setup: ManifestCheckContext): VerifiedChain {
  const certs = decodeChain(e.chainBytes);
  let chain: VerifiedChain;
  try {
    chain = setup.pki.verifyChain(certs, [setup.trust.manufacturerAnchor], {
      profile: 'rfc5280',
      now: setup.now,
      crypto: setup.crypto,
    });
  } catch (err) {
    const inner = asOtaError(err, PkiError.internal);
    throw new OtaError(ImageError.chain, `manufacturer chain refused (${inner.message})`);
  }
  const digest = sha256Of(setup, e.manifestBytes);
  if (!rawSignatureVerifies(setup.crypto, digest, e.signature, chain.leafPublicKey)) {
    throw new OtaError(ImageError.manifestSignature, 'manufacturer signature over the manifest does not verify');
  }
  return chain;
}

/** Every check due before the first payload byte; returns the validated chain. */
export function checkManifest(e: ManifestEvidence, setup: ManifestCheckContext): VerifiedChain {
  checkHeaderAgainstManifest(e.header, e.manifest);
  checkManifestForDevice(e.manifest, setup.device, setup.policy);
  if (setup.policy.supplierSignatureRequired && !e.hasTrailer) {
    throw new OtaError(ImageError.supplierSignatureMissing, 'no GBCS trailer: a supplier signature is required');
  }
  return checkManufacturerSignature(e, setup);
}

export function sha256Of(setup: { crypto: PkiCrypto }, bytes: Bytes): Bytes {
  const h = setup.crypto.sha256.create();
  h.update(bytes);
  return h.digest();
}
