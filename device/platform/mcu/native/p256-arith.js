/*
 * The arithmetic of one ECDSA P-256 verification (SEC 1 §4.1.4 steps 4-7) on the Moddable
 * SDK's native curve code (modules/crypt/arith): w = s⁻¹ mod n, u1 = e·w, u2 = r·w,
 * R = u1·G + u2·Q, valid when x(R) mod n = r. It is the cost a native P256Verifier pays
 * on top of its input checks; the MCU benchmark times it beside noble's full verify.
 * Inputs are bigints already checked by the caller.
 */
import Curve from "curve";
import ECPoint from "ecp";
import Modular from "modular";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const curve = new Curve("secp256r1");
const orderN = new Modular(N);

export function verifyArith(e, r, s, qx, qy) {
  const w = orderN.mulinv(s);
  const u1 = (e * w) % N;
  const u2 = (r * w) % N;
  const point = curve.ec.mul2(curve.G, u1, new ECPoint(qx, qy), u2);
  if (point.isZero()) return false;
  return point.X % N === r;
}
