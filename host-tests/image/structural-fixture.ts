/**
 * OTA files with the right structure but placeholder signatures and certificates: enough
 * for the streaming parser (which checks structure only), no PKI needed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeChain } from '../../device/image/chain-codec.js';
import { Tag } from '../../device/image/image-format.js';
import { encodeManifest } from '../../device/image/manifest.js';
import { assembleOtaFile, encodeTrailer, type Element } from '../../tools/image/ota-writer.js';

export const IDS = {
  manufacturerCode: 0x1234,
  imageType: 0x0042,
  fileVersion: 0x00020000,
  minHardwareVersion: 1,
  maxHardwareVersion: 4,
};

export function pattern(n: number, seed = 1): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

export function structuralElements(payload: Uint8Array): Element[] {
  const manifest = encodeManifest({ ...IDS, payloadLength: payload.length, payloadSha256: sha256(payload) });
  return [
    { tag: Tag.manifest, data: manifest },
    { tag: Tag.manufacturerSignature, data: pattern(64, 2) },
    { tag: Tag.certificateChain, data: encodeChain([pattern(300, 3), pattern(200, 4)]) },
    { tag: Tag.payload, data: payload },
  ];
}

export function structuralFile(
  payload: Uint8Array,
  trailer = true,
  elements = structuralElements(payload),
): Uint8Array {
  return assembleOtaFile(IDS, elements, trailer ? encodeTrailer(pattern(64, 5)) : undefined);
}
