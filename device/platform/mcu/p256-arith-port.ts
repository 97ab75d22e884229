/**
 * A P256Verifier over the SDK's native curve arithmetic (mcu/p256-arith), for the MCU
 * image's download figures with native crypto. It checks what the arithmetic does not:
 * lengths and the 0x04 key prefix, strict DER (device/pki/der) for chain signatures,
 * 1 ≤ r, s < n and the key on the curve (y² = x³ − 3x + b mod p). Returns false for
 * anything malformed and never throws (the port contract). The platform ports for lin,
 * ESP32 and EFR32 carry their own native verifier; this one exists so that the MCU
 * benchmark measures the same kind of work.
 */
import { verifyArith } from 'mcu/p256-arith';
import { readIntegerBytes, readRoot, sequenceOf, Tag } from '../../pki/index.js';
import type { Bytes, P256Verifier, SignatureFormat } from '../../ports.js';
import { toHex } from '../../util/index.js';

const P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const B = BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');

const big = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`));

function signatureParts(signature: Bytes, format: SignatureFormat): [bigint, bigint] {
  if (format === 'raw') {
    if (signature.length !== 64) throw new RangeError('raw signature is not 64 bytes');
    return [big(signature.subarray(0, 32)), big(signature.subarray(32))];
  }
  const [r, s] = sequenceOf(readRoot(signature), Tag.sequence, 'ECDSA-Sig-Value', 2, 2);
  const rBytes = readIntegerBytes(r, 'r');
  const sBytes = readIntegerBytes(s, 's');
  if ((rBytes[0] as number) >= 0x80 || (sBytes[0] as number) >= 0x80) throw new RangeError('negative r or s');
  return [big(rBytes), big(sBytes)];
}

export const arithP256: P256Verifier = {
  verify(digest, signature, publicKey, format) {
    try {
      if (digest.length !== 32 || publicKey.length !== 65 || publicKey[0] !== 4) return false;
      const [r, s] = signatureParts(signature, format);
      if (r < 1n || r >= N || s < 1n || s >= N) return false;
      const x = big(publicKey.subarray(1, 33));
      const y = big(publicKey.subarray(33));
      if (x >= P || y >= P || (y * y - (x * x * x - 3n * x + B)) % P !== 0n) return false;
      return verifyArith(big(digest), r, s, x, y);
    } catch {
      return false;
    }
  },
};
