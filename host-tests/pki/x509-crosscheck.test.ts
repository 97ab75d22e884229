/**
 * The device's X.509 parser read against an independent one (@peculiar/x509): for the
 * test PKI and for certificates openssl made, both see the same serial, validity, public
 * key, extensions with their critical flags, key usage, key identifiers and policies, and
 * @peculiar/x509 agrees that each signature verifies under its issuer.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate, type Certificate } from '../../device/pki/index.js';
import { KeyUsageBit } from '../../device/pki/oids.js';
import { toHex } from '../../device/util/bytes.js';
import { createTestPki, readCertificateFile } from '../../tools/pki/index.js';
import { openssl, tempDir } from './openssl.js';
import { x509 } from './peculiar.js';

function compare(der: Uint8Array, issuerDer: Uint8Array) {
  const mine: Certificate = parseCertificate(der);
  const theirs = new x509.X509Certificate(der);
  expect(toHex(mine.serial).replace(/^00/, '')).toBe(theirs.serialNumber.toLowerCase().replace(/^00/, ''));
  expect(mine.notBefore * 1000).toBe(theirs.notBefore.getTime());
  expect(mine.notAfter * 1000).toBe(theirs.notAfter.getTime());
  expect(toHex(mine.publicKey)).toBe(toHex(new Uint8Array(theirs.publicKey.rawData).subarray(-65)));
  expect(mine.extensions.map((e) => [e.oid, e.critical])).toEqual(theirs.extensions.map((e) => [e.type, e.critical]));
  const ku = theirs.getExtension(x509.KeyUsagesExtension);
  // Both number keyUsage bit n as 1 << n.
  expect(mine.keyUsage).toBe(ku ? ku.usages : undefined);
  const ski = theirs.getExtension(x509.SubjectKeyIdentifierExtension);
  expect(mine.subjectKeyId ? toHex(mine.subjectKeyId) : undefined).toBe(ski?.keyId);
  const aki = theirs.getExtension(x509.AuthorityKeyIdentifierExtension);
  expect(mine.authorityKeyId ? toHex(mine.authorityKeyId) : undefined).toBe(aki?.keyId);
  const bc = theirs.getExtension(x509.BasicConstraintsExtension);
  expect(mine.basicConstraints?.cA ?? undefined).toBe(bc ? bc.ca : undefined);
  expect(mine.basicConstraints?.pathLen).toBe(bc?.pathLength);
  const cp = theirs.getExtension(x509.CertificatePolicyExtension);
  expect(mine.policies).toEqual(cp?.policies);
  expect(toHex(mine.signature)).toBe(toHex(new Uint8Array(theirs.signature)));
  return theirs.verify({ publicKey: new x509.X509Certificate(issuerDer).publicKey, signatureOnly: true });
}

describe('parsing cross-checked with @peculiar/x509', () => {
  const pki = createTestPki();
  const pairs: [string, Uint8Array, Uint8Array][] = [
    ['SMKI root', pki.smkiRoot.der, pki.smkiRoot.der],
    ['organisation CA', pki.orgCa.der, pki.smkiRoot.der],
    ['supplier 1', pki.supplier1.der, pki.orgCa.der],
    ['supplier 2', pki.supplier2.der, pki.orgCa.der],
    ['manufacturer root', pki.manufacturerRoot.der, pki.manufacturerRoot.der],
    ['manufacturer signer', pki.manufacturerSigner.der, pki.manufacturerRoot.der],
  ];
  for (const [name, der, issuer] of pairs) {
    it(`test PKI ${name}: same fields, signature verifies`, async () => {
      expect(await compare(der, issuer)).toBe(true);
    });
  }

  it('openssl-made root and leaf: same fields, signature verifies', async () => {
    const dir = tempDir('althan-peculiar-');
    writeFileSync(
      path.join(dir, 'ext.cnf'),
      '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE,pathlen:3\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\ncertificatePolicies=1.2.3.4,1.2.3.5\n[leaf]\nkeyUsage=digitalSignature,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\nsubjectAltName=DNS:device.example\n',
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'r.key'], dir);
    openssl(
      [
        'req',
        '-new',
        '-x509',
        '-key',
        'r.key',
        '-subj',
        '/C=GB/O=cross check/CN=R',
        '-days',
        '30',
        '-config',
        'ext.cnf',
        '-extensions',
        'v3',
        '-out',
        'r.pem',
      ],
      dir,
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'l.key'], dir);
    openssl(['req', '-new', '-key', 'l.key', '-subj', '/CN=L', '-config', 'ext.cnf', '-out', 'l.csr'], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'l.csr',
        '-CA',
        'r.pem',
        '-CAkey',
        'r.key',
        '-set_serial',
        '0x00ffeeddccbbaa99887766',
        '-days',
        '20',
        '-extfile',
        'ext.cnf',
        '-extensions',
        'leaf',
        '-out',
        'l.pem',
      ],
      dir,
    );
    const root = readCertificateFile(path.join(dir, 'r.pem'))[0];
    const leaf = readCertificateFile(path.join(dir, 'l.pem'))[0];
    expect(await compare(root, root)).toBe(true);
    expect(await compare(leaf, root)).toBe(true);
    expect(parseCertificate(leaf).keyUsage).toBe(KeyUsageBit.digitalSignature | KeyUsageBit.keyAgreement);
  });
});
