/**
 * ECDSA P-256 verification (FIPS 186-4 §6.4.2 / SEC 1 §4.1.4) with every check on the
 * inputs done here, in portable code, and only the double scalar multiplication
 * u1·G + u2·Q left to an engine. A platform with native big-number or elliptic-curve
 * code (Moddable's `modules/crypt/arith`, a hardware PKA) supplies the engine; the rules a
 * bare engine does not enforce stay in one place that CI tests:
 *
 * - the public key is SEC 1 uncompressed (65 bytes, 0x04), x and y in [0, p−1], and on the
 *   curve y² = x³ − 3x + b (so never the point at infinity, which has no such encoding);
 * - a DER signature is one ECDSA-Sig-Value read by the device's strict DER reader
 *   (definite minimal lengths, minimal non-negative INTEGERs, no trailing bytes); a raw
 *   one is exactly 64 bytes r‖s;
 * - r and s are in [1, n−1] (high S is valid: OpenSSL signs high-S half the time);
 * - R = u1·G + u2·Q is not the point at infinity, and x(R) mod n = r (x(R) may exceed n).
 *
 * Returns false for anything malformed and never throws (the `P256Verifier` contract).
 */
import { readRoot, readIntegerBytes, sequenceOf, Tag } from '../pki/index.js';
import type { Bytes, P256Verifier, SignatureFormat } from '../ports.js';

/** SEC 2 secp256r1 domain parameters. */
export const P256 = {
  p: BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
  n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  b: BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
  Gx: BigInt('0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
  Gy: BigInt('0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
} as const;

/** An affine point, or `undefined` for the point at infinity. */
export type AffinePoint = { x: bigint; y: bigint } | undefined;

/**
 * What a platform's curve arithmetic provides. Inputs are already checked: 1 ≤ u1, u2 < n is
 * not guaranteed (either may be 0), Q is on the curve and not the identity.
 */
export interface P256Engine {
  /** s⁻¹ mod n, for 1 ≤ s < n. */
  invertModN(s: bigint): bigint;
  /** u1·G + u2·Q in affine coordinates, or `undefined` when it is the point at infinity. */
  mulAdd(u1: bigint, u2: bigint, qx: bigint, qy: bigint): AffinePoint;
}

export function bytesToBigInt(bytes: Bytes): bigint {
  let hex = '0x0';
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return BigInt(hex);
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** The SEC 1 uncompressed key as a checked point on P-256, or undefined. */
export function parsePublicKey(key: Bytes): { x: bigint; y: bigint } | undefined {
  if (key.length !== 65 || key[0] !== 0x04) return undefined;
  const x = bytesToBigInt(key.subarray(1, 33));
  const y = bytesToBigInt(key.subarray(33, 65));
  const { p, b } = P256;
  if (x >= p || y >= p) return undefined;
  // a = −3 on P-256.
  if (mod(y * y - (x * x * x - 3n * x + b), p) !== 0n) return undefined;
  return { x, y };
}

/** INTEGER contents as a non-negative value of at most 32 significant bytes, or undefined. */
function scalarFromInteger(v: Bytes): bigint | undefined {
  if (v[0] >= 0x80) return undefined; // negative
  const body = v[0] === 0 ? v.subarray(1) : v;
  if (body.length > 32) return undefined;
  return bytesToBigInt(body);
}

/** (r, s) from the signature, strictly parsed, or undefined. Range is checked by the caller. */
export function parseSignature(signature: Bytes, format: SignatureFormat): { r: bigint; s: bigint } | undefined {
  if (format === 'raw') {
    if (signature.length !== 64) return undefined;
    return { r: bytesToBigInt(signature.subarray(0, 32)), s: bytesToBigInt(signature.subarray(32, 64)) };
  }
  if (format !== 'der') return undefined;
  try {
    const [rNode, sNode] = sequenceOf(readRoot(signature), Tag.sequence, 'ECDSA-Sig-Value', 2, 2);
    const r = scalarFromInteger(readIntegerBytes(rNode, 'r'));
    const s = scalarFromInteger(readIntegerBytes(sNode, 's'));
    return r === undefined || s === undefined ? undefined : { r, s };
  } catch {
    return undefined;
  }
}

/** A `P256Verifier` over `engine`, with every input check done here. */
export function checkedP256Verifier(engine: P256Engine): P256Verifier {
  return {
    verify(digest, signature, publicKey, format) {
      try {
        if (digest.length !== 32) return false;
        const q = parsePublicKey(publicKey);
        if (!q) return false;
        const rs = parseSignature(signature, format);
        if (!rs) return false;
        const { r, s } = rs;
        const { n } = P256;
        if (r < 1n || r >= n || s < 1n || s >= n) return false;
        // bitlen(n) = 256 = digest bits: e is the digest itself, reduced mod n.
        const e = mod(bytesToBigInt(digest), n);
        const w = engine.invertModN(s);
        const R = engine.mulAdd(mod(e * w, n), mod(r * w, n), q.x, q.y);
        if (R === undefined) return false;
        return mod(R.x, n) === r;
      } catch {
        return false;
      }
    },
  };
}
