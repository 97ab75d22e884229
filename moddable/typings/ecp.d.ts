// The Moddable SDK's modules/crypt/arith/ecp.js as device/platform/moddable/p256-native.ts
// uses it. The SDK ships no typings for modules/crypt; mcconfig type-checks against these
// (listed in the manifests); host type-checking uses types/moddable-crypt-arith.d.ts.
export default class ECPoint {
  constructor(x: bigint, y: bigint, identity?: boolean);
  readonly X: bigint;
  readonly Y: bigint;
  isZero(): boolean;
}
