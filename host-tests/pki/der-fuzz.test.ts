/**
 * Structure-aware fuzzing of certificate parsing and path validation from a fixed seed:
 * mutations aimed at the TLVs of real certificates (lengths, length forms, tags,
 * truncation, deletion, duplication, insertion, bit flips). Every input ends in a parse
 * or an OtaError with a PKI_* code, never anything untyped; a mutated chain that
 * validates must be byte-identical to the original.
 */
import { describe, expect, it } from 'vitest';
import { readTlv } from '../../device/pki/der.js';
import { parseCertificate, verifyChain } from '../../device/pki/index.js';
import { concatBytes, equalBytes } from '../../device/util/bytes.js';
import { createTestPki } from '../../tools/pki/index.js';
import { Rng } from '../../sim/rng.js';
import { crypto } from './crypto.js';

const pki = createTestPki();

/** Start, value start and end of every TLV in a DER value, outermost first. */
function tlvs(bytes: Uint8Array): { start: number; valueStart: number; end: number; constructed: boolean }[] {
  const out: { start: number; valueStart: number; end: number; constructed: boolean }[] = [];
  const walk = (pos: number, end: number) => {
    while (pos < end) {
      const n = readTlv(bytes, pos, end);
      const constructed = (n.tag & 0x20) !== 0;
      out.push({ start: n.start, valueStart: n.valueStart, end: n.end, constructed });
      if (constructed) walk(n.valueStart, n.end);
      pos = n.end;
    }
  };
  walk(0, bytes.length);
  return out;
}

function mutate(rng: Rng, der: Uint8Array, map: ReturnType<typeof tlvs>): Uint8Array {
  const t = map[rng.int(0, map.length)];
  const b = der.slice();
  switch (rng.int(0, 9)) {
    case 0: // length octet off by a little
      b[t.valueStart - 1] = (b[t.valueStart - 1] + rng.int(1, 4) * (rng.chance(0.5) ? 1 : -1)) & 0xff;
      return b;
    case 1: // short length re-encoded in a long, non-minimal form
      return concatBytes(
        der.subarray(0, t.start + 1),
        Uint8Array.of(0x81, t.end - t.valueStart),
        der.subarray(t.valueStart),
      );
    case 2: // another tag
      b[t.start] = rng.chance(0.5) ? rng.int(0, 256) : b[t.start] ^ 0x20;
      return b;
    case 3: // cut at the end of this TLV
      return der.subarray(0, t.end);
    case 4: // TLV removed
      return concatBytes(der.subarray(0, t.start), der.subarray(t.end));
    case 5: // TLV repeated
      return concatBytes(der.subarray(0, t.end), der.subarray(t.start, t.end), der.subarray(t.end));
    case 6: // indefinite length
      b[t.start + 1] = 0x80;
      return b;
    case 7: // random bytes inserted into the value
      return concatBytes(
        der.subarray(0, t.valueStart),
        Uint8Array.from({ length: rng.int(1, 4) }, () => rng.int(0, 256)),
        der.subarray(t.valueStart),
      );
    default: // one bit flipped inside the TLV
      b[rng.int(t.start, t.end)] ^= 1 << rng.int(0, 8);
      return b;
  }
}

describe('structure-aware fuzzing of device/pki', () => {
  it('30,000 mutated certificates: each parses or fails typed; mutated chains never validate', () => {
    const rng = new Rng(0x5eed);
    const targets = [pki.supplier1.der, pki.orgCa.der, pki.manufacturerSigner.der, pki.smkiRoot.der];
    const maps = targets.map(tlvs);
    const codes = new Map<string, number>();
    let parsed = 0;
    let chainsTried = 0;
    for (let i = 0; i < 30_000; i++) {
      const which = i % targets.length;
      const input = mutate(rng, targets[which], maps[which]);
      try {
        parseCertificate(input);
        parsed++;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if ((e as Error).name !== 'OtaError' || typeof code !== 'string' || !code.startsWith('PKI_'))
          throw new Error(`untyped failure on input ${i}: ${String(e)}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        continue;
      }
      // Those that still parse go through full validation now and then (signatures are the slow part).
      if (which === 0 && chainsTried < 400) {
        chainsTried++;
        try {
          verifyChain([input, pki.orgCa.der], [pki.smkiRoot.der], { profile: 'smki', crypto });
          expect(equalBytes(input, targets[0])).toBe(true);
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^PKI_/);
        }
      }
    }
    expect(codes.size).toBeGreaterThanOrEqual(6);
    expect(parsed).toBeGreaterThan(0);
    expect(chainsTried).toBeGreaterThan(50);
  });
});
