/**
 * NIST P-256 for ECDSA verification, built from noble's audited `weierstrass`/`ecdsa`
 * core with the SEC 2 / FIPS 186-4 domain parameters.
 *
 * Why not `@noble/curves/nist.js`: that module also builds P-256 FROST and OPRF objects
 * at import time, which call TextEncoder; devices have none, so importing it aborts XS on
 * the target (bundlers hide this by tree-shaking; Moddable does not). This module pulls in
 * only the ECDSA path. host-tests/crypto/p256-curve.test.ts checks it against nist.js.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';

const P256_CURVE = {
  p: BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
  n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  h: BigInt(1),
  a: BigInt('0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc'),
  b: BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
  Gx: BigInt('0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
  Gy: BigInt('0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
};

/**
 * noble probes for a random source when a curve is built (scalar blinding, signing
 * entropy) and calls `crypto.getRandomValues`, which a device does not have: XS then
 * reports an exception at every boot. Verification needs no randomness, so the curve is
 * given a source that the probe refuses (it returns no bytes): blinding stays off, the
 * verify path is unchanged, and nothing touches the missing global.
 */
const NO_RANDOMNESS = (): Uint8Array<ArrayBuffer> => new Uint8Array(0);

export const p256 = ecdsa(weierstrass(P256_CURVE, { randomBytes: NO_RANDOMNESS }), sha256, {
  randomBytes: NO_RANDOMNESS,
});
