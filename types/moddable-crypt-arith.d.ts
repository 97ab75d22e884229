// Host type-checking of device/platform/moddable/p256-native.ts: the parts of the Moddable
// SDK's modules/crypt/arith and modules/crypt/etc/curve.js it uses (the SDK ships no typings
// for them). mcconfig type-checks against the same shapes in module form, moddable/typings/
// (mcconfig resolves a bare module name to a file, where an ambient declaration cannot live).
declare module 'ecp' {
  export default class ECPoint {
    constructor(x: bigint, y: bigint, identity?: boolean);
    readonly X: bigint;
    readonly Y: bigint;
    isZero(): boolean;
  }
}
declare module 'ec' {
  import type ECPoint from 'ecp';
  export default class EC {
    constructor(a: bigint, b: bigint, m: bigint);
    /** k1·a1 + k2·a2, affine (or the identity: `isZero()`). */
    mul2(a1: ECPoint, k1: bigint, a2: ECPoint, k2: bigint): ECPoint;
  }
}
declare module 'curve' {
  import type EC from 'ec';
  import type ECPoint from 'ecp';
  export default class Curve {
    constructor(name: 'secp256r1' | 'secp384r1');
    readonly G: ECPoint;
    readonly ec: EC;
    readonly n: bigint;
  }
}
declare module 'modular' {
  export default class Modular {
    constructor(m: bigint);
    mulinv(a: bigint): bigint;
  }
}
