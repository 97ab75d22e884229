/**
 * `cert verify` builds the path itself (tools/pki/order-chain.ts): candidate issuers by
 * key identifier, then by name; self-issued intermediates (a CA key rollover) and extra
 * unrelated or unparseable certificates do not stop it. The device's verifyChain accepts
 * the same chain given in order.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../device/pki/index.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { ext, smkiName } from '../../tools/pki/cert-builder.js';
import { pemEncode } from '../../tools/pki/pem.js';
import { SMKI_TEST_POLICY } from '../../tools/pki/test-pki.js';
import { candidatePaths } from '../../tools/pki/order-chain.js';
import { crypto } from './crypto.js';
import { issue, type Issued } from './fixtures.js';
import { tempDir } from './openssl.js';
import { runCli } from '../cli/run-cli.js';

const rootName = smkiName(SmkiRole.root, { cn: 'Rollover Root' });
const caName = smkiName(SmkiRole.issuingAuthority, { cn: 'Rollover CA' });
const caExtensions = (kid: Uint8Array, akid: Uint8Array) => [
  ext.basicConstraints(true, 0),
  ext.keyUsage(['keyCertSign', 'cRLSign']),
  ext.policies([SMKI_TEST_POLICY]),
  ext.subjectKeyId(kid),
  ext.authorityKeyId(akid),
];
const root = issue('rollover-root', rootName, undefined, (kid) => [
  ext.basicConstraints(true),
  ext.keyUsage(['keyCertSign', 'cRLSign']),
  ext.policies([SMKI_TEST_POLICY]),
  ext.subjectKeyId(kid),
]);
const caOld = issue('rollover-ca-old', caName, root, caExtensions);
// The new CA key, certified by the old one under the same name: a self-issued intermediate.
const caNew = issue('rollover-ca-new', caName, caOld, caExtensions);
const leaf = issue(
  'rollover-leaf',
  smkiName(SmkiRole.supplier, { entityId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), cn: 'Rollover Supplier' }),
  caNew,
  (kid, akid) => [
    ext.keyUsage(['digitalSignature']),
    ext.policies([SMKI_TEST_POLICY]),
    ext.subjectKeyId(kid),
    ext.authorityKeyId(akid),
  ],
);
// Unrelated: another CA of the same name under another key (key identifiers tell it apart).
const lookAlike = issue('rollover-lookalike', caName, root, caExtensions);

describe('path building in the tools', () => {
  it('the device validates the rollover chain given in order', () => {
    const r = verifyChain([leaf.der, caNew.der, caOld.der], [root.der], { profile: 'smki', crypto });
    expect(r.leafRole).toBe(SmkiRole.supplier);
  });

  it('candidate paths go through the self-issued intermediate, key-identifier matches first', () => {
    const paths = candidatePaths(leaf.der, [lookAlike.der, caOld.der, caNew.der], [root.der]);
    expect(paths[0]).toEqual([leaf.der, caNew.der, caOld.der]);
  });

  it('cert verify finds the path through a self-issued intermediate among unrelated and unparseable files', async () => {
    const dir = tempDir('althan-paths-');
    const write = (name: string, c: Issued | Uint8Array) => {
      const file = path.join(dir, name);
      writeFileSync(file, pemEncode('CERTIFICATE', c instanceof Uint8Array ? c : c.der));
      return file;
    };
    const args = ['cert', 'verify', write('leaf.pem', leaf), '--anchor', write('root.pem', root)];
    for (const [n, c] of [
      ['old.pem', caOld],
      ['junk.pem', caOld.der.subarray(0, 50)],
      ['look.pem', lookAlike],
      ['new.pem', caNew],
    ] as const) {
      args.push('--intermediate', write(n, c));
    }
    const r = await runCli([...args, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { valid: boolean; path: string[] };
    expect(out.valid).toBe(true);
    expect(out.path).toHaveLength(3);

    // Without the old CA there is no path: refused with the validator's code.
    const missing = await runCli([
      'cert',
      'verify',
      path.join(dir, 'leaf.pem'),
      '--anchor',
      path.join(dir, 'root.pem'),
      '--intermediate',
      path.join(dir, 'new.pem'),
      '--json',
    ]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, code: 'PKI_NO_PATH' });
  });
});
