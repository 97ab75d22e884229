/**
 * rawSignatureVerifies: the one path from device/image to the P-256 port. It asks for the
 * raw r‖s form (a port that reads the format, like the checked verifier over a native
 * engine, accepts nothing else for 64 bytes) and turns a port that throws into "invalid".
 */
import { describe, expect, it } from 'vitest';
import { checkedP256Verifier } from '../../device/ecdsa/ecdsa-p256-checks.js';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { PkiCrypto } from '../../device/pki/api.js';
import type { P256Verifier } from '../../device/ports.js';
import { rawSignatureVerifies } from '../../device/image/raw-signature.js';
import { deriveKey, signDigestRaw } from '../../tools/pki/index.js';
import { nobleP256Engine } from '../../sim/noble-p256-engine.js';

const key = deriveKey('raw-signature test', 'signer');
const digest = (() => {
  const h = nobleSha256.create();
  h.update(new Uint8Array([1, 2, 3]));
  return h.digest();
})();
const signature = signDigestRaw(key.privateKey, digest);
const cryptoOf = (p256: P256Verifier): PkiCrypto => ({ sha256: nobleSha256, p256 });

describe('rawSignatureVerifies', () => {
  for (const [name, port] of [
    ['noble', nobleP256],
    ['checked over a bare engine', checkedP256Verifier(nobleP256Engine)],
  ] as const) {
    it(`${name}: a raw r‖s signature verifies; another digest, key or signature does not`, () => {
      expect(signature.length).toBe(64);
      expect(rawSignatureVerifies(cryptoOf(port), digest, signature, key.publicKey)).toBe(true);
      const other = digest.slice();
      other[0] ^= 1;
      expect(rawSignatureVerifies(cryptoOf(port), other, signature, key.publicKey)).toBe(false);
      expect(
        rawSignatureVerifies(cryptoOf(port), digest, signature, deriveKey('raw-signature test', 'other').publicKey),
      ).toBe(false);
      const bad = signature.slice();
      bad[63] ^= 1;
      expect(rawSignatureVerifies(cryptoOf(port), digest, bad, key.publicKey)).toBe(false);
    });
  }

  it('a port that throws (breaking its promise) counts as an invalid signature, never an exception', () => {
    const throwing: P256Verifier = {
      verify() {
        throw new Error('native verifier fault');
      },
    };
    expect(rawSignatureVerifies(cryptoOf(throwing), digest, signature, key.publicKey)).toBe(false);
  });

  it('only a port answer of exactly true counts', () => {
    const truthy = { verify: () => 1 as unknown as boolean } satisfies P256Verifier;
    expect(rawSignatureVerifies(cryptoOf(truthy), digest, signature, key.publicKey)).toBe(false);
  });
});
