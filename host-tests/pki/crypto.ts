/** The crypto ports the PKI tests validate with (the device's own noble-based ports). */
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { PkiCrypto } from '../../device/pki/api.js';

export const crypto: PkiCrypto = { sha256: nobleSha256, p256: nobleP256 };

/** The OtaError code `fn` throws; fails the test when it returns or throws anything untyped. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const code = (e as { code?: unknown; name?: string }).code;
    if ((e as { name?: string }).name !== 'OtaError' || typeof code !== 'string')
      throw new Error(`untyped throw: ${String(e)}`);
    return code;
  }
  throw new Error('expected a throw, got a result');
}
