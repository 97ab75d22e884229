// modules/crypt/etc/curve.js (see ecp.d.ts).
import type EC from 'ec';
import type ECPoint from 'ecp';
export default class Curve {
  constructor(name: 'secp256r1' | 'secp384r1');
  readonly G: ECPoint;
  readonly ec: EC;
  readonly n: bigint;
}
