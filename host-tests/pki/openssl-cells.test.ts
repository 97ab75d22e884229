/**
 * Cells from certificates openssl issues (a real CA, not the tools' builder): an SMKI Root
 * and Organisation CA made by openssl certify Supplier-cell candidates from PKCS#10
 * requests; `trust build` takes the digitalSignature one and refuses the keyAgreement and
 * role-03 ones, and `gbcs verify` authorises an image signed by openssl with the accepted
 * key only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { SmkiRole } from '../../device/pki/index.js';
import { concatBytes } from '../../device/util/bytes.js';
import { encodeOtaHeader, encodeTrailer } from '../../tools/image/ota-writer.js';
import { buildCsr, pemEncode, readPrivateKeyFile, smkiName, SMKI_TEST_POLICY } from '../../tools/pki/index.js';
import { openssl, tempDir } from './openssl.js';
import { runCli } from './run-cli.js';

const CONFIG = `
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
[agreement]
keyUsage = critical, keyAgreement
certificatePolicies = critical, ${SMKI_TEST_POLICY}
subjectKeyIdentifier = 3132333435363738
authorityKeyIdentifier = keyid:always
[manufacturer]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
`;

describe('Supplier cells issued by openssl', () => {
  const dir = tempDir('althan-openssl-cells-');
  const f = (name: string) => path.join(dir, name);
  writeFileSync(f('ext.cnf'), CONFIG);
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

  /** A key and a certificate for `role`, requested with the tools' CSR (x500UniqueIdentifier as a BIT STRING) and issued by openssl's CA. */
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
  const signing = issued('signing', SmkiRole.supplier, 'signing', 10);
  const agreement = issued('agreement', SmkiRole.supplier, 'agreement', 11);
  const operator = issued('operator', SmkiRole.networkOperator, 'signing', 12);
  const base = [
    'trust',
    'build',
    '--manufacturer-anchor',
    f('manufacturer.pem'),
    '--root',
    f('root.pem'),
    '--force',
    '--json',
  ];
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z'); // openssl dated the certificates from the host clock

  it('the digitalSignature certificate is accepted as a Supplier cell at a trusted time', async () => {
    const r = await runCli([...base, '--supplier1', signing, '--out', f('store.cbor'), '--at', now]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ written: true, timeChecked: true });
  });

  it('the keyAgreement and the role-03 certificates are refused', async () => {
    const ka = await runCli([...base, '--supplier1', agreement, '--out', f('ka.cbor')]);
    expect(ka.code).toBe(1);
    expect(JSON.parse(ka.stdout)).toMatchObject({ written: false, code: 'PKI_PROFILE_SMKI_KEY_USAGE' });
    const no = await runCli([...base, '--supplier2', operator, '--out', f('no.cbor')]);
    expect(no.code).toBe(1);
    expect(JSON.parse(no.stdout)).toMatchObject({ written: false, code: 'PKI_PROFILE_SMKI_ROLE' });
  });

  it('gbcs verify authorises an image whose supplier signature openssl made with the accepted key', async () => {
    expect((await runCli([...base, '--supplier1', signing, '--out', f('store.cbor')])).code).toBe(0);
    const mi = Uint8Array.from({ length: 300 }, (_, i) => (i * 29 + 5) & 0xff);
    writeFileSync(f('mi.bin'), mi);
    openssl(['dgst', '-sha256', '-sign', 'signing.key', '-out', 'mi.sig', 'mi.bin'], dir);
    const raw = p256.Signature.fromBytes(new Uint8Array(readFileSync(f('mi.sig'))), 'der').toBytes('compact');
    const header = {
      manufacturerCode: 0x121d,
      imageType: 1,
      fileVersion: 2,
      minHardwareVersion: 1,
      maxHardwareVersion: 2,
    };
    const total = encodeOtaHeader(header, 0).length + mi.length + 66;
    writeFileSync(f('image.ota'), concatBytes(encodeOtaHeader(header, total), mi, encodeTrailer(raw)));
    const r = await runCli(['gbcs', 'verify', f('image.ota'), '--trust', f('store.cbor'), '--at', now, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verified: true,
      supplierCell: 'supplier1',
      manufacturerImageHash: Buffer.from(sha256(mi)).toString('hex'),
    });
  });
});
