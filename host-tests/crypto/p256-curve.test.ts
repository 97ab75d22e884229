/** The device's P-256 (ECDSA core only) is the same curve as noble's nist.js P-256. */
import { p256 as nist } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it, vi } from 'vitest';
import { p256 } from '../../device/crypto/p256-curve.js';

describe('device P-256', () => {
  it('has the same generator, order and field as nist.js', () => {
    expect(p256.Point.BASE.equals(p256.Point.fromHex(nist.Point.BASE.toHex(false)))).toBe(true);
    expect(p256.Point.CURVE()).toEqual(nist.Point.CURVE());
  });

  it('derives the same keys and verifies each other’s signatures (high-S included)', () => {
    for (let i = 0; i < 8; i++) {
      const sk = sha256(new Uint8Array([i, 1, 2, 3]));
      expect(p256.getPublicKey(sk, false)).toEqual(nist.getPublicKey(sk, false));
      const digest = sha256(new Uint8Array([i]));
      const sig = nist.sign(digest, sk, { prehash: false, lowS: false });
      const s = nist.Signature.fromBytes(sig, 'compact');
      const highS = new nist.Signature(s.r, nist.Point.CURVE().n - s.s).toBytes('compact');
      for (const candidate of [sig, highS]) {
        expect(p256.verify(candidate, digest, nist.getPublicKey(sk, false), { prehash: false, lowS: false })).toBe(
          true,
        );
      }
    }
  });

  it('touches no crypto.getRandomValues when the module loads', async () => {
    // A device has no `crypto` global; noble probes for one when a curve is built.
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    vi.resetModules();
    const fresh = await import('../../device/crypto/p256-curve.js');
    expect(fresh.p256.Point.BASE).toBeDefined();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
