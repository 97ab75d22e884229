// modules/crypt/arith/ec.js (see ecp.d.ts).
import type ECPoint from 'ecp';
export default class EC {
  constructor(a: bigint, b: bigint, m: bigint);
  /** k1·a1 + k2·a2, affine (or the identity: `isZero()`). */
  mul2(a1: ECPoint, k1: bigint, a2: ECPoint, k2: bigint): ECPoint;
}
