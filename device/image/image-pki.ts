/**
 * What device/image needs from device/pki, as a small interface so that the image code
 * depends on the PKI contract (device/pki/api.ts); `devicePki` binds it to device/pki.
 */
import type { Bytes } from '../ports.js';
import type { ChainOptions, VerifiedChain } from '../pki/api.js';
import { certificateKey, verifyChain } from '../pki/index.js';

export interface ImagePki {
  /** Validates `chain` (leaf first, no anchor) to one of `anchors`; throws OtaError when it does not. */
  verifyChain(chain: Bytes[], anchors: Bytes[], options: ChainOptions): VerifiedChain;
  /** The SEC1 uncompressed P-256 key of a DER certificate; throws OtaError when it has none. */
  certificatePublicKey(certificate: Bytes): Bytes;
}

export const devicePki: ImagePki = {
  verifyChain,
  certificatePublicKey: (certificate) => certificateKey(certificate).publicKey,
};
