import type { Bytes } from '../ports.js';
import type { PkiCrypto } from '../pki/index.js';

/**
 * A raw r‖s P-256 signature check through the port. The port promises not to throw; if a
 * platform's does anyway, the signature counts as invalid rather than escaping untyped.
 */
export function rawSignatureVerifies(crypto: PkiCrypto, digest: Bytes, signature: Bytes, publicKey: Bytes): boolean {
  try {
    return crypto.p256.verify(digest, signature, publicKey, 'raw') === true;
  } catch {
    return false;
  }
}
