/** ECDSA P-256 signing for the tools (the device only verifies). */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * Signs a 32-byte SHA-256 digest: returns the 64-byte r‖s (the GBCS trailer and the
 * manufacturer signature format). `lowS: false` signs as openssl does, high-S or not.
 */
export function signDigestRaw(privateKey: Uint8Array, digest32: Uint8Array): Uint8Array {
  if (digest32.length !== 32) throw new Error(`digest of ${digest32.length} bytes, expected 32`);
  return p256.sign(digest32, privateKey, { prehash: false, lowS: false });
}

/** The same signature as a DER ECDSA-Sig-Value (X.509 signatureValue, openssl dgst output). */
export function signDigestDer(privateKey: Uint8Array, digest32: Uint8Array): Uint8Array {
  return p256.Signature.fromBytes(signDigestRaw(privateKey, digest32), 'compact').toBytes('der');
}

export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}
