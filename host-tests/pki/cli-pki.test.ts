/**
 * `althan-ota pki init` and `althan-ota cert verify` end to end: init writes a hierarchy
 * whose files load back (certificates, keys, trust store) and validate with cert verify;
 * cert verify exits 0 when valid, 1 with the PKI_* code when not, 2 on usage errors
 * (host-tests/cli/cli-contract.test.ts has every command's bad-input cases).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../../device/util/bytes.js';
import {
  createTestPki,
  loadTrustStoreFile,
  pemEncode,
  readCertificateFile,
  readPrivateKeyFile,
} from '../../tools/pki/index.js';
import { opensslStatus, tempDir } from './openssl.js';
import { runCli } from '../cli/run-cli.js';
import { repoRoot } from '../vectors/vectors.js';

const dir = path.join(tempDir('althan-cli-'), 'pki');
const init = await runCli(['pki', 'init', dir]);
const f = (name: string) => path.join(dir, name);

describe('althan-ota pki init', () => {
  it('writes every certificate as PEM and DER, every key, the chains and the trust store, and lists them', () => {
    expect(init.code).toBe(0);
    for (const name of [
      'smki-root',
      'smki-org-ca',
      'supplier1',
      'supplier2',
      'manufacturer-root',
      'manufacturer-signer',
    ]) {
      for (const ext of ['.pem', '.der', '.key.pem']) {
        expect(existsSync(f(name + ext))).toBe(true);
        expect(init.stdout).toContain(name + ext);
      }
      expect(equalBytes(readCertificateFile(f(`${name}.pem`))[0], readFileSync(f(`${name}.der`)))).toBe(true);
    }
    expect(init.stdout).toContain('trust-store.cbor');
  });

  it('writes the same hierarchy as createTestPki(), keys included', () => {
    const pki = createTestPki();
    expect(toHex(readFileSync(f('supplier2.der')))).toBe(toHex(pki.supplier2.der));
    expect(toHex(readPrivateKeyFile(f('manufacturer-signer.key.pem')).privateKey)).toBe(
      toHex(pki.manufacturerSigner.privateKey),
    );
    const store = loadTrustStoreFile(f('trust-store.cbor'));
    expect(equalBytes(store.manufacturerAnchor, pki.manufacturerRoot.der)).toBe(true);
    expect(equalBytes(store.cells.root!, pki.smkiRoot.der)).toBe(true);
  });

  it('keys it writes are readable by openssl', () => {
    expect(opensslStatus(['ec', '-in', f('supplier1.key.pem'), '-noout', '-check'], dir).status).toBe(0);
  });

  it('refuses to overwrite without --force (exit 1, OUT_EXISTS), and overwrites with it', async () => {
    const refusedRun = await runCli(['pki', 'init', dir]);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stderr).toContain('OUT_EXISTS');
    expect((await runCli(['pki', 'init', dir, '--force'])).code).toBe(0);
  });
});

describe('althan-ota cert verify', () => {
  it('a supplier chain file under SMKI at a time inside validity: exit 0, role and entity id shown', async () => {
    const r = await runCli([
      'cert',
      'verify',
      f('supplier1-chain.pem'),
      '--anchor',
      f('smki-root.pem'),
      '--at',
      '2030-06-01T12:00:00+01:00',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (smki)');
    expect(r.stdout).toContain('leaf role 02, entity id 90b3d51f30010000');
    expect(r.stdout).toContain('validity checked at 2030-06-01T11:00:00Z');
  });

  it('JSON output without --at says the time was not checked', async () => {
    const r = await runCli([
      'cert',
      'verify',
      f('manufacturer-signer.der'),
      '--anchor',
      f('manufacturer-root.der'),
      '--profile',
      'rfc5280',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      valid: true,
      profile: 'rfc5280',
      timeChecked: false,
      anchor: 'O=althan-ota test manufacturer, CN=Manufacturer Root',
    });
  });

  it('the right anchor is picked from several --anchor files', async () => {
    const r = await runCli([
      'cert',
      'verify',
      f('supplier2.pem'),
      '--intermediate',
      f('smki-org-ca.der'),
      '--anchor',
      f('manufacturer-root.pem'),
      '--anchor',
      f('smki-root.der'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).anchor).toBe('OU=00, CN=Root');
  });

  it('failures exit 1 with their code: wrong anchor, missing intermediate, wrong profile, expired, tampered', async () => {
    const code = async (args: string[]) => {
      const r = await runCli([...args, '--json']);
      return `${r.code} ${JSON.parse(r.stdout).code}`;
    };
    expect(await code(['cert', 'verify', f('supplier1-chain.pem'), '--anchor', f('manufacturer-root.pem')])).toBe(
      '1 PKI_NO_PATH',
    );
    expect(await code(['cert', 'verify', f('supplier1.pem'), '--anchor', f('smki-root.pem')])).toBe('1 PKI_NO_PATH');
    expect(
      await code(['cert', 'verify', f('manufacturer-signer.pem'), '--anchor', f('manufacturer-root.pem')]),
    ).toMatch(/^1 PKI_PROFILE_SMKI_/);
    expect(
      await code([
        'cert',
        'verify',
        f('supplier1-chain.pem'),
        '--anchor',
        f('smki-root.pem'),
        '--at',
        '2050-01-01T00:00:00Z',
      ]),
    ).toBe('1 PKI_EXPIRED');
    const der = Uint8Array.from(readFileSync(f('supplier1.der')));
    der[der.length - 5] ^= 0x40; // inside the signature
    writeFileSync(f('tampered.pem'), pemEncode('CERTIFICATE', der));
    expect(
      await code([
        'cert',
        'verify',
        f('tampered.pem'),
        '--intermediate',
        f('smki-org-ca.pem'),
        '--anchor',
        f('smki-root.pem'),
      ]),
    ).toBe('1 PKI_SIGNATURE_INVALID');
  });

  it('text output of a failure names the code on stderr', async () => {
    const r = await runCli([
      'cert',
      'verify',
      f('supplier1-chain.pem'),
      '--anchor',
      f('smki-root.pem'),
      '--at',
      '2020-01-01T00:00:00Z',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PKI_NOT_YET_VALID');
  });

  it('as a process (bin/althan-ota.js): exit status 0 when valid, 1 with the code when not', () => {
    const bin = path.join(repoRoot, 'bin/althan-ota.js');
    const ok = spawnSync(
      process.execPath,
      [bin, 'cert', 'verify', f('supplier2-chain.pem'), '--anchor', f('smki-root.pem')],
      { encoding: 'utf8' },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('valid (smki)');
    const bad = spawnSync(
      process.execPath,
      [bin, 'cert', 'verify', f('supplier2-chain.pem'), '--anchor', f('manufacturer-root.pem'), '--json'],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).code).toBe('PKI_NO_PATH');
  });

  it('usage errors exit 2: no anchor, a bad time, an unknown profile', async () => {
    expect((await runCli(['cert', 'verify', f('supplier1.pem')])).code).toBe(2);
    expect(
      (await runCli(['cert', 'verify', f('supplier1.pem'), '--anchor', f('smki-root.pem'), '--at', '2030-01-01'])).code,
    ).toBe(2);
    expect(
      (await runCli(['cert', 'verify', f('supplier1.pem'), '--anchor', f('smki-root.pem'), '--profile', 'x509'])).code,
    ).toBe(2);
  });
});
