// modules/crypt/arith/modular.js (see ecp.d.ts).
export default class Modular {
  constructor(m: bigint);
  mulinv(a: bigint): bigint;
}
