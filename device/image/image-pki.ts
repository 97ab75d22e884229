/**
 * What device/image needs from device/pki, as a small interface so that the image code
 * depends on the PKI contract (device/pki/api.ts); `devicePki` binds it to device/pki.
 */
import type { Bytes, WallTime } from '../ports.js';
import { type AnchorCell, type ChainOptions, type VerifiedChain, checkCell, verifyChain } from '../pki/index.js';

export interface ImagePki {
  /** Validates `chain` (leaf first, no anchor) to one of `anchors`; throws OtaError when it does not. */
  verifyChain(chain: Bytes[], anchors: Bytes[], options: ChainOptions): VerifiedChain;
  /**
   * The SEC1 uncompressed P-256 key of the certificate in `cell`, after checking that it
   * may sit there (role, key usage; validity when `now` is trusted). Throws OtaError (PKI_*).
   */
  cellKey(cell: AnchorCell, certificate: Bytes, now?: WallTime): Bytes;
}

export const devicePki: ImagePki = {
  verifyChain,
  cellKey: (cell, certificate, now) => checkCell(cell, certificate, now).publicKey,
};
