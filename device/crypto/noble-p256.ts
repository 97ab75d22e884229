/**
 * P256Verifier port in portable JavaScript (@noble/curves). High-S accepted (`lowS:
 * false`), the digest is used as given (`prehash: false`), and any throw from the library
 * (a wrong-length signature, a point off the curve) counts as invalid.
 */
import { p256 } from './p256-curve.js';
import type { P256Verifier } from '../ports.js';

export const nobleP256: P256Verifier = {
  verify(digest, signature, publicKey, format) {
    try {
      if (digest.length !== 32) return false;
      if (publicKey.length !== 65 || publicKey[0] !== 4) return false;
      if (format === 'raw' && signature.length !== 64) return false;
      return p256.verify(signature, digest, publicKey, {
        prehash: false,
        lowS: false,
        format: format === 'der' ? 'der' : 'compact',
      });
    } catch {
      return false;
    }
  },
};
