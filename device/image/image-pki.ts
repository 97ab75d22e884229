/**
 * What device/image needs from device/pki, as functions the caller passes in, so that the
 * image code depends on the PKI contract (device/pki/api.ts) and not on one build of it.
 */
import type { Bytes } from '../ports.js';
import type { ChainOptions, VerifiedChain } from '../pki/api.js';

export interface ImagePki {
  /** Validates `chain` (leaf first, no anchor) to one of `anchors`; throws OtaError when it does not. */
  verifyChain(chain: Bytes[], anchors: Bytes[], options: ChainOptions): VerifiedChain;
  /** The SEC1 uncompressed P-256 key of a DER certificate; throws OtaError when it has none. */
  certificatePublicKey(certificate: Bytes): Bytes;
}
