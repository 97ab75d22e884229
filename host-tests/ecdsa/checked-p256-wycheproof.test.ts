/**
 * The input checks a native ECDSA engine lacks (device/ecdsa/ecdsa-p256-checks.ts) over a
 * bare engine (noble's point arithmetic standing in for Moddable's `arith`): every
 * Wycheproof ecdsa_secp256r1_sha256 vector, DER and P1363, gives the expected answer and
 * never a throw. The Moddable build runs the same vectors over the SDK's native engine
 * (`npm run moddable:crypto`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedP256Verifier, parsePublicKey, parseSignature, P256 } from '../../device/ecdsa/ecdsa-p256-checks.js';
import { nobleSha256 } from '../../device/crypto/index.js';
import type { SignatureFormat } from '../../device/ports.js';
import { fromHex } from '../../device/util/bytes.js';
import { nobleP256Engine } from '../../sim/noble-p256-engine.js';
import { wycheproofDir } from '../vectors/vectors.js';

interface WycheproofFile {
  numberOfTests: number;
  testGroups: {
    publicKey: { uncompressed: string };
    tests: { tcId: number; msg: string; sig: string; result: string; flags: string[] }[];
  }[];
}

const verifier = checkedP256Verifier(nobleP256Engine);

function sha256(data: Uint8Array): Uint8Array {
  const h = nobleSha256.create();
  h.update(data);
  return h.digest();
}

function runFile(file: string, format: SignatureFormat) {
  const data = JSON.parse(readFileSync(path.join(wycheproofDir, file), 'utf8')) as WycheproofFile;
  const wrong: string[] = [];
  let valid = 0;
  let total = 0;
  for (const group of data.testGroups) {
    const key = fromHex(group.publicKey.uncompressed);
    for (const t of group.tests) {
      total++;
      if (t.result === 'valid') valid++;
      const accepted = verifier.verify(sha256(fromHex(t.msg)), fromHex(t.sig), key, format);
      if (accepted !== (t.result === 'valid'))
        wrong.push(`tcId ${t.tcId} (${t.result}, ${t.flags.join(' ')}): ${String(accepted)}`);
    }
  }
  expect(total).toBe(data.numberOfTests);
  return { wrong, valid, total };
}

describe('checked P-256 verifier over a bare curve engine', () => {
  it('Wycheproof DER: 174 valid accepted, 310 invalid refused', () => {
    expect(runFile('ecdsa_secp256r1_sha256_test.json', 'der')).toEqual({ wrong: [], valid: 174, total: 484 });
  });

  it('Wycheproof P1363: 173 valid accepted, 89 invalid refused', () => {
    expect(runFile('ecdsa_secp256r1_sha256_p1363_test.json', 'raw')).toEqual({ wrong: [], valid: 173, total: 262 });
  });

  it('keys: off the curve, coordinates ≥ p and the wrong encoding are refused before the engine runs', () => {
    const g = `04${P256.Gx.toString(16).padStart(64, '0')}${P256.Gy.toString(16).padStart(64, '0')}`;
    expect(parsePublicKey(fromHex(g))).toEqual({ x: P256.Gx, y: P256.Gy });
    expect(parsePublicKey(fromHex(g.slice(0, -1) + '0'))).toBeUndefined();
    expect(parsePublicKey(fromHex(`04${P256.p.toString(16)}${'00'.repeat(32)}`))).toBeUndefined();
    expect(parsePublicKey(fromHex(`03${g.slice(2, 66)}`))).toBeUndefined();
  });

  it('signatures: DER INTEGERs minimal and non-negative, at most 32 significant bytes', () => {
    expect(parseSignature(fromHex('3006020101020102'), 'der')).toEqual({ r: 1n, s: 2n });
    expect(parseSignature(fromHex('300702020001020102'), 'der')).toBeUndefined();
    expect(parseSignature(fromHex('3006020181020102'), 'der')).toBeUndefined();
    expect(parseSignature(fromHex(`30260222${'01'.repeat(34)}020102`), 'der')).toBeUndefined();
    expect(parseSignature(fromHex('3006020101020102'), 'raw')).toBeUndefined();
  });

  it('a throwing engine makes verify return false, not throw', () => {
    const throwing = checkedP256Verifier({
      invertModN: () => {
        throw new Error('engine failure');
      },
      mulAdd: () => undefined,
    });
    const v = fromHex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const key = fromHex(
      '044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634',
    );
    const sig = fromHex(
      '6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752',
    );
    expect(verifier.verify(v, sig, key, 'raw')).toBe(true);
    expect(throwing.verify(v, sig, key, 'raw')).toBe(false);
  });
});
