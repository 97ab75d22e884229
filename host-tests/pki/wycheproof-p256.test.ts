/**
 * Every Wycheproof ecdsa_secp256r1_sha256 vector (DER and IEEE P1363) through the device's
 * P256Verifier port: SHA-256 of the message first, DER → 'der', P1363 → 'raw'. Every
 * valid vector accepted, every invalid one rejected, and never a throw.
 *
 * "acceptable" vectors: these two files hold none (asserted below, so a vector update that
 * adds some is noticed). The port's rule would be to accept only what is strictly valid.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { SignatureFormat } from '../../device/ports.js';
import { fromHex } from '../../device/util/bytes.js';
import { wycheproofDir } from '../vectors/vectors.js';

interface WycheproofFile {
  numberOfTests: number;
  testGroups: {
    publicKey: { uncompressed: string };
    sha: string;
    tests: { tcId: number; msg: string; sig: string; result: string; flags: string[] }[];
  }[];
}

function sha256(data: Uint8Array): Uint8Array {
  const h = nobleSha256.create();
  h.update(data);
  return h.digest();
}

function runFile(file: string, format: SignatureFormat) {
  const data = JSON.parse(readFileSync(path.join(wycheproofDir, file), 'utf8')) as WycheproofFile;
  const wrong: string[] = [];
  const counts = { valid: 0, invalid: 0, acceptable: 0, total: 0 };
  for (const group of data.testGroups) {
    expect(group.sha).toBe('SHA-256');
    const key = fromHex(group.publicKey.uncompressed);
    for (const t of group.tests) {
      counts.total++;
      counts[t.result as 'valid' | 'invalid' | 'acceptable']++;
      let accepted: boolean;
      try {
        accepted = nobleP256.verify(sha256(fromHex(t.msg)), fromHex(t.sig), key, format);
      } catch (e) {
        wrong.push(`tcId ${t.tcId}: the port threw ${String(e)}`);
        continue;
      }
      if (typeof accepted !== 'boolean') wrong.push(`tcId ${t.tcId}: returned ${String(accepted)}`);
      else if (accepted !== (t.result === 'valid'))
        wrong.push(`tcId ${t.tcId} (${t.result}, ${t.flags.join(' ')}): ${accepted ? 'accepted' : 'rejected'}`);
    }
  }
  expect(counts.total).toBe(data.numberOfTests);
  return { counts, wrong };
}

describe('Wycheproof ECDSA P-256 / SHA-256 through the P256Verifier port', () => {
  it('DER signatures: all 174 valid accepted (high-S included), all 310 invalid rejected', () => {
    const { counts, wrong } = runFile('ecdsa_secp256r1_sha256_test.json', 'der');
    expect(wrong).toEqual([]);
    expect(counts).toEqual({ valid: 174, invalid: 310, acceptable: 0, total: 484 });
  });

  it('P1363 r‖s signatures: all 173 valid accepted, all 89 invalid rejected', () => {
    const { counts, wrong } = runFile('ecdsa_secp256r1_sha256_p1363_test.json', 'raw');
    expect(wrong).toEqual([]);
    expect(counts).toEqual({ valid: 173, invalid: 89, acceptable: 0, total: 262 });
  });
});
