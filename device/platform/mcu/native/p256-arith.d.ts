/** See p256-arith.js: the native arithmetic of one P-256 verification, inputs already checked. */
declare module 'mcu/p256-arith' {
  export function verifyArith(e: bigint, r: bigint, s: bigint, qx: bigint, qy: bigint): boolean;
}
