/**
 * Instructions per P-256 verification: one valid signature (must verify) and the same
 * signature over another digest (must be refused), run twice so that a first-use cost
 * (noble's lazy precomputation) shows. The vector is device/main.ts's: SHA-256("abc")
 * signed by KEY.
 */
import { fromHex } from '../../util/index.js';
import { measure, row } from './report.js';

export const KEY = fromHex(
  '044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634',
);
export const SIG = fromHex(
  '6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752',
);
export const DIGEST = fromHex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');

/** Reports two rows; returns whether the answers were right. */
export function benchP256(portName: string, verify: (digest: Uint8Array) => boolean): boolean {
  const other = DIGEST.slice();
  other[0] ^= 1;
  let ok = true;
  for (let run = 1; run <= 2; run++) {
    let valid = false;
    const m = measure(() => {
      valid = verify(DIGEST);
    });
    const refused = !verify(other);
    ok &&= valid && refused;
    row('p256', { port: portName, run, instructions: m.instructions, gc: m.gc, valid, refused });
  }
  return ok;
}
