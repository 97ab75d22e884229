/**
 * openssl interop, both directions:
 * - chains made by `openssl` (self-signed root, CSR-signed CA and leaf, PKCS#8 and SEC1
 *   keys) validate with verifyChain and `cert verify`, under RFC 5280 and, with SMKI
 *   extensions and a subject the tools encode in the CSR, under SMKI;
 * - certificates made by the builder pass `openssl verify -x509_strict` and parse in
 *   `openssl x509 -text`; openssl refuses them tampered or out of their validity;
 * - signatures: openssl's `dgst -sign` output verifies through the P256Verifier port, and
 *   the tools' signatures verify with `openssl dgst -verify`.
 */
import { p256 } from '@noble/curves/nist.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { SmkiRole, verifyChain } from '../../device/pki/index.js';
import { toHex } from '../../device/util/bytes.js';
import {
  buildCsr,
  createTestPki,
  pemEncode,
  readCertificateFile,
  readPrivateKeyFile,
  sha256Digest,
  signDigestDer,
  smkiName,
  SMKI_TEST_POLICY,
  spkiDer,
  SUPPLIER2_ENTITY_ID,
} from '../../tools/pki/index.js';
import { codeOf, crypto } from './crypto.js';
import { openssl, opensslStatus, tempDir } from './openssl.js';
import { runCli } from '../cli/run-cli.js';

const CONFIG = `
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[smki_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 0102030405060708
[smki_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 1112131415161718
authorityKeyIdentifier = keyid:always
[smki_leaf]
keyUsage = critical, digitalSignature
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 2122232425262728
authorityKeyIdentifier = keyid:always
`;

/** Builds root → CA → leaf with openssl in `dir`; returns the file names. */
function opensslChain(dir: string, kind: 'v3' | 'smki') {
  const p = kind === 'v3' ? '' : 'smki-';
  const ext = (n: string) => (kind === 'v3' ? `v3_${n}` : `smki_${n}`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${p}root.key`], dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      `${p}root.key`,
      '-subj',
      kind === 'v3' ? '/O=openssl interop/CN=Root' : '/OU=00/CN=Root',
      '-days',
      '3650',
      '-config',
      'ext.cnf',
      '-extensions',
      ext('root'),
      '-out',
      `${p}root.pem`,
    ],
    dir,
  );
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${p}ca.key`], dir);
  openssl(
    [
      'req',
      '-new',
      '-key',
      `${p}ca.key`,
      '-subj',
      kind === 'v3' ? '/O=openssl interop/CN=Issuing CA' : '/OU=07/CN=Z1',
      '-config',
      'ext.cnf',
      '-out',
      `${p}ca.csr`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${p}ca.csr`,
      '-CA',
      `${p}root.pem`,
      '-CAkey',
      `${p}root.key`,
      '-set_serial',
      '2',
      '-days',
      '3000',
      '-extfile',
      'ext.cnf',
      '-extensions',
      ext('ca'),
      '-out',
      `${p}ca.pem`,
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${p}leaf.key`], dir);
  if (kind === 'v3') {
    openssl(
      [
        'req',
        '-new',
        '-key',
        `${p}leaf.key`,
        '-subj',
        '/O=openssl interop/CN=Firmware Signer',
        '-config',
        'ext.cnf',
        '-out',
        `${p}leaf.csr`,
      ],
      dir,
    );
  } else {
    // openssl's -subj writes x500UniqueIdentifier as text; SMKI wants a BIT STRING, so the tools make the CSR.
    const key = readPrivateKeyFile(path.join(dir, `${p}leaf.key`));
    writeFileSync(
      path.join(dir, `${p}leaf.csr`),
      pemEncode(
        'CERTIFICATE REQUEST',
        buildCsr(smkiName(SmkiRole.supplier, { entityId: SUPPLIER2_ENTITY_ID, cn: 'openssl-issued supplier' }), key),
      ),
    );
  }
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${p}leaf.csr`,
      '-CA',
      `${p}ca.pem`,
      '-CAkey',
      `${p}ca.key`,
      '-set_serial',
      '3',
      '-days',
      '2000',
      '-extfile',
      'ext.cnf',
      '-extensions',
      ext('leaf'),
      '-outform',
      'DER',
      '-out',
      `${p}leaf.der`,
    ],
    dir,
  );
  return { root: `${p}root.pem`, ca: `${p}ca.pem`, leaf: `${p}leaf.der`, leafKey: `${p}leaf.key` };
}

const dir = tempDir('althan-openssl-');
writeFileSync(path.join(dir, 'ext.cnf'), CONFIG);
const v3 = opensslChain(dir, 'v3');
const sm = opensslChain(dir, 'smki');
const file = (f: string) => path.join(dir, f);
const one = (f: string) => readCertificateFile(file(f))[0];
const nowSeconds = Math.floor(Date.now() / 1000); // openssl dated the certificates from the host clock

describe('chains made by openssl validate with the device code', () => {
  it('RFC 5280: root → CA (pathlen 0) → signer, with a trusted time inside their validity', () => {
    const r = verifyChain([one(v3.leaf), one(v3.ca)], [one(v3.root)], {
      profile: 'rfc5280',
      crypto,
      now: { unixSeconds: nowSeconds, trusted: true },
    });
    expect(r.timeChecked).toBe(true);
    const leafKey = readPrivateKeyFile(file(v3.leafKey));
    expect(toHex(r.leafPublicKey)).toBe(toHex(leafKey.publicKey));
  });

  it('openssl certificates carry 20-octet key identifiers, so the SMKI profile refuses them', () => {
    expect(codeOf(() => verifyChain([one(v3.leaf), one(v3.ca)], [one(v3.root)], { profile: 'smki', crypto }))).toMatch(
      /^PKI_PROFILE_SMKI_/,
    );
  });

  it('SMKI: an openssl CA with SMKI extensions issuing for a tools-made CSR validates with role and entity id', () => {
    const r = verifyChain([one(sm.leaf), one(sm.ca)], [one(sm.root)], {
      profile: 'smki',
      crypto,
      leafRole: SmkiRole.supplier,
    });
    expect(r.leafRole).toBe(SmkiRole.supplier);
    expect(toHex(r.leafEntityId!)).toBe(toHex(SUPPLIER2_ENTITY_ID));
  });

  it('cert verify accepts them (exit 0) and reports an expired time with its code (exit 1)', async () => {
    const ok = await runCli([
      'cert',
      'verify',
      file(v3.leaf),
      '--intermediate',
      file(v3.ca),
      '--anchor',
      file(v3.root),
      '--profile',
      'rfc5280',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).valid).toBe(true);
    const smki = await runCli([
      'cert',
      'verify',
      file(sm.leaf),
      '--intermediate',
      file(sm.ca),
      '--anchor',
      file(sm.root),
      '--json',
    ]);
    expect(smki.code).toBe(0);
    expect(JSON.parse(smki.stdout).leafEntityId).toBe(toHex(SUPPLIER2_ENTITY_ID));
    const late = await runCli([
      'cert',
      'verify',
      file(v3.leaf),
      '--intermediate',
      file(v3.ca),
      '--anchor',
      file(v3.root),
      '--profile',
      'rfc5280',
      '--at',
      '2199-01-01T00:00:00Z',
      '--json',
    ]);
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout).code).toBe('PKI_EXPIRED');
  });

  it('openssl agrees that its own chain is valid (the fixture is sound)', () => {
    openssl(['x509', '-inform', 'DER', '-in', v3.leaf, '-out', 'leaf-v3.pem'], dir);
    expect(
      opensslStatus(['verify', '-x509_strict', '-CAfile', v3.root, '-untrusted', v3.ca, 'leaf-v3.pem'], dir).status,
    ).toBe(0);
  });
});

describe('certificates made by the tools validate with openssl', () => {
  const pki = createTestPki();
  const out = tempDir('althan-tools-certs-');
  for (const [name, pem] of Object.entries({
    root: pki.smkiRoot.pem,
    ca: pki.orgCa.pem,
    s1: pki.supplier1.pem,
    s2: pki.supplier2.pem,
    mroot: pki.manufacturerRoot.pem,
    msigner: pki.manufacturerSigner.pem,
  })) {
    writeFileSync(path.join(out, `${name}.pem`), pem);
  }

  for (const [leaf, ca, root] of [
    ['s1', 'ca', 'root'],
    ['s2', 'ca', 'root'],
    ['msigner', undefined, 'mroot'],
  ] as const) {
    it(`openssl verify -x509_strict accepts ${leaf}`, () => {
      const args = [
        'verify',
        '-x509_strict',
        '-CAfile',
        `${root}.pem`,
        ...(ca ? ['-untrusted', `${ca}.pem`] : []),
        `${leaf}.pem`,
      ];
      const r = opensslStatus(args, out);
      expect(r.out).toContain(`${leaf}.pem: OK`);
      expect(r.status).toBe(0);
    });
  }

  it('openssl verify refuses them past notAfter and when tampered', () => {
    const expired = opensslStatus(
      [
        'verify',
        '-attime',
        String(Date.UTC(2050, 0, 2) / 1000),
        '-CAfile',
        'root.pem',
        '-untrusted',
        'ca.pem',
        's1.pem',
      ],
      out,
    );
    expect(expired.status).not.toBe(0);
    expect(expired.out).toMatch(/expired/);
    const der = pki.supplier1.der.slice();
    der[20] ^= 1;
    writeFileSync(path.join(out, 'bad.pem'), pemEncode('CERTIFICATE', der));
    const bad = opensslStatus(['verify', '-CAfile', 'root.pem', '-untrusted', 'ca.pem', 'bad.pem'], out);
    expect(bad.status).not.toBe(0);
  });

  it('openssl x509 -text shows the SMKI fields as built', () => {
    const text = openssl(['x509', '-in', 's1.pem', '-noout', '-text'], out).toString('utf8');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Certificate Policies: critical\s+Policy: 1\.2\.826\.0\.1\.8641679\.1\.2\.1\.4/);
    expect(text).toContain('Subject: OU = 02, x500UniqueIdentifier = #03090090B3D51F30010000, CN = Supplier 1');
    expect(text).toContain('Issuer: OU = 07, CN = Z1');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain(toHex(pki.supplier1.keyId).toUpperCase().match(/../g)!.join(':'));
  });
});

describe('signatures across openssl and the tools', () => {
  const sdir = tempDir('althan-sigs-');
  const pki = createTestPki();
  writeFileSync(path.join(sdir, 'key.pem'), readFileSync(file(v3.leafKey)));
  const key = readPrivateKeyFile(path.join(sdir, 'key.pem'));

  it('openssl dgst -sha256 -sign output verifies through the port as DER and as r‖s', () => {
    for (let i = 0; i < 12; i++) {
      const data = Buffer.from(`openssl message ${i}`);
      writeFileSync(path.join(sdir, 'data.bin'), data);
      const der = openssl(['dgst', '-sha256', '-sign', 'key.pem', 'data.bin'], sdir);
      const digest = sha256Digest(data);
      expect(nobleP256.verify(digest, der, key.publicKey, 'der')).toBe(true);
      const raw = p256.Signature.fromBytes(der, 'der').toBytes('compact');
      expect(nobleP256.verify(digest, raw, key.publicKey, 'raw')).toBe(true);
      expect(nobleP256.verify(sha256Digest(Buffer.from(`other ${i}`)), der, key.publicKey, 'der')).toBe(false);
    }
  });

  it('signDigestDer over SHA-256 verifies with openssl dgst -verify; a changed message does not', () => {
    writeFileSync(path.join(sdir, 'spub.pem'), pemEncode('PUBLIC KEY', spkiDer(pki.supplier1.publicKey)));
    for (let i = 0; i < 6; i++) {
      const data = Buffer.from(`tools message ${i}`);
      writeFileSync(path.join(sdir, 'm.bin'), data);
      writeFileSync(path.join(sdir, 'm.sig'), signDigestDer(pki.supplier1.privateKey, sha256Digest(data)));
      expect(
        openssl(['dgst', '-sha256', '-verify', 'spub.pem', '-signature', 'm.sig', 'm.bin'], sdir).toString(),
      ).toContain('Verified OK');
      writeFileSync(path.join(sdir, 'm.bin'), Buffer.concat([data, Buffer.from('!')]));
      expect(
        opensslStatus(['dgst', '-sha256', '-verify', 'spub.pem', '-signature', 'm.sig', 'm.bin'], sdir).status,
      ).not.toBe(0);
    }
  });
});
