/**
 * P256Verifier port over the Moddable SDK's native curve arithmetic
 * (`modules/crypt/arith`: Jacobian double-and-add and Montgomery multiplication in C,
 * reached through `curve`, `ecp` and `modular`). About 5× faster than noble on XS
 * (docs/PORTING.md, "Native crypto").
 *
 * The SDK's own `ECDSA.verify` (modules/crypt/etc/ecdsa.js) checks neither the range of r
 * and s nor that the key is on the curve, parses DER loosely and compares x(R) with r
 * without reducing it mod n (so it refuses valid signatures whose x(R) ≥ n). Only the
 * double multiplication u1·G + u2·Q and s⁻¹ mod n are taken from the SDK; every check is
 * device/ecdsa/ecdsa-p256-checks.ts, the code CI runs against Wycheproof.
 *
 * Build: add "$(MODULES)/crypt/arith/*" and "$(MODULES)/crypt/etc/curve" to the manifest.
 */
import Curve from 'curve';
import ECPoint from 'ecp';
import Modular from 'modular';
import { checkedP256Verifier, P256, type P256Engine } from '../../ecdsa/index.js';
import type { P256Verifier } from '../../ports.js';

const curve = new Curve('secp256r1');
const orderN = new Modular(P256.n);

const nativeEngine: P256Engine = {
  invertModN: (s) => orderN.mulinv(s),
  mulAdd(u1, u2, qx, qy) {
    const r = curve.ec.mul2(curve.G, u1, new ECPoint(qx, qy), u2);
    if (r.isZero()) return undefined;
    return { x: r.X, y: r.Y };
  },
};

export const nativeP256: P256Verifier = checkedP256Verifier(nativeEngine);
