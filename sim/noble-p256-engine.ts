/**
 * The `P256Engine` (u1·G + u2·Q and s⁻¹ mod n) over noble's point arithmetic: the stand-in
 * for a platform's native curve code (Moddable's `modules/crypt/arith`), so that the input
 * checks of device/ecdsa/ecdsa-p256-checks.ts run in CI against every Wycheproof vector.
 * Like a bare native engine, it checks nothing about its inputs.
 */
import { invert } from '@noble/curves/abstract/modular.js';
import { P256, type P256Engine, p256 } from '../device/crypto/index.js';

const { Point } = p256;

export const nobleP256Engine: P256Engine = {
  invertModN: (s) => invert(s, P256.n),
  mulAdd(u1, u2, qx, qy) {
    const q = Point.fromAffine({ x: qx, y: qy });
    const r = Point.BASE.multiplyUnsafe(u1).add(q.multiplyUnsafe(u2));
    if (r.is0()) return undefined;
    const { x, y } = r.toAffine();
    return { x, y };
  },
};
