/**
 * An SMKI PKI made by openssl (a real CA, not the tools' builder) for the interop tests:
 * a Root and an Organisation CA as SMKI profiles them, a manufacturer anchor, and
 * `issued()` for end-entity certificates from the tools' PKCS#10 requests (the subject's
 * x500UniqueIdentifier as a BIT STRING, which openssl's `-subj` cannot write). The
 * extension sections name the cells' profiles: `signing`/`signing2` (Supplier),
 * `recovery`, `agreement` (keyAgreement, for refusals).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCsr, pemEncode, readPrivateKeyFile, smkiName, SMKI_TEST_POLICY } from '../../tools/pki/index.js';
import { openssl, tempDir } from './openssl.js';

/** The openssl configuration: the request section and one extension section per profile. */
export const SMKI_EXTENSIONS = `
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 0102030405060708
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 1112131415161718
authorityKeyIdentifier = keyid:always
[signing]
keyUsage = critical, digitalSignature
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 2122232425262728
authorityKeyIdentifier = keyid:always
[signing2]
keyUsage = critical, digitalSignature
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 4142434445464748
authorityKeyIdentifier = keyid:always
[recovery]
keyUsage = critical, digitalSignature
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 5152535455565758
authorityKeyIdentifier = keyid:always
[agreement]
keyUsage = critical, keyAgreement
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 3132333435363738
authorityKeyIdentifier = keyid:always
[manufacturer]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
`;

export interface OpensslSmkiCa {
  dir: string;
  /** A path in `dir` (root.pem, ca.pem, manufacturer.pem and the keys beside them). */
  f(name: string): string;
  /** A key and a certificate for `role` issued by the CA with `extensions`; returns the certificate's path. */
  issued(name: string, role: number, extensions: string, serial: number): string;
}

/** Makes the CA in a fresh temporary folder (removed after the test file). */
export function opensslSmkiCa(prefix: string): OpensslSmkiCa {
  const dir = tempDir(prefix);
  const f = (name: string) => path.join(dir, name);
  writeFileSync(f('ext.cnf'), SMKI_EXTENSIONS);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key'], dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'root.key',
      '-subj',
      '/OU=00/CN=Root',
      '-days',
      '3650',
      '-config',
      'ext.cnf',
      '-extensions',
      'root',
      '-out',
      'root.pem',
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(['req', '-new', '-key', 'ca.key', '-subj', '/OU=07/CN=Z1', '-config', 'ext.cnf', '-out', 'ca.csr'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'ca.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-set_serial',
      '2',
      '-days',
      '3000',
      '-extfile',
      'ext.cnf',
      '-extensions',
      'ca',
      '-out',
      'ca.pem',
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'm.key'], dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'm.key',
      '-subj',
      '/O=Vendor/CN=Manufacturer Root',
      '-days',
      '3650',
      '-config',
      'ext.cnf',
      '-extensions',
      'manufacturer',
      '-out',
      'manufacturer.pem',
    ],
    dir,
  );

  /** A key (openssl) and a certificate issued by openssl's CA from the tools' CSR (x500UniqueIdentifier as a BIT STRING). */
  function issued(name: string, role: number, extensions: string, serial: number): string {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
    const key = readPrivateKeyFile(f(`${name}.key`));
    const subject = smkiName(role, {
      entityId: Uint8Array.from([0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x00, 0x00, serial]),
      cn: name,
    });
    writeFileSync(f(`${name}.csr`), pemEncode('CERTIFICATE REQUEST', buildCsr(subject, key)));
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(serial),
        '-days',
        '365',
        '-extfile',
        'ext.cnf',
        '-extensions',
        extensions,
        '-out',
        `${name}.pem`,
      ],
      dir,
    );
    return f(`${name}.pem`);
  }
  return { dir, f, issued };
}
