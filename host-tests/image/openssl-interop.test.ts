/**
 * openssl interop: an image signed by `althan-ota sign` from openssl-made keys and
 * certificates verifies with `althan-ota verify`; the manufacturer and supplier
 * signatures the tool writes verify with `openssl dgst -sha256 -verify` over the bytes
 * docs/FORMAT.md says they cover.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { readU32 } from '../../device/util/bytes.js';
import { createTrustStore } from '../../device/pki/trust-store.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { ext, issueCertificate, smkiKeyId, smkiName } from '../../tools/pki/cert-builder.js';
import { createTestPki, readPrivateKeyFile, SMKI_TEST_POLICY, SUPPLIER2_ENTITY_ID } from '../../tools/pki/index.js';
import { readCertificateFile } from '../../tools/pki/pem.js';
import { saveTrustStoreFile } from '../../tools/pki/trust-store-file.js';
import { openssl, opensslStatus, tempDir } from '../pki/openssl.js';
import { runCli } from '../cli/run-cli.js';

const rawToDer = (raw: Uint8Array) => p256.Signature.fromBytes(raw, 'compact').toBytes('der');

describe('openssl interop', () => {
  const dir = tempDir('althan-image-openssl-');
  const at = (f: string) => path.join(dir, f);
  // A manufacturer hierarchy and a supplier key, all made by openssl.
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'root.key'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-sha256',
      '-days',
      '3650',
      '-subj',
      '/O=Interop Vendor/CN=Interop Root',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'root.pem',
    ],
    dir,
  );
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'signer.key'], dir);
  openssl(
    ['req', '-new', '-key', 'signer.key', '-subj', '/O=Interop Vendor/CN=Interop Signer', '-out', 'signer.csr'],
    dir,
  );
  writeFileSync(
    at('signer.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'signer.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      'signer.ext',
      '-out',
      'signer.pem',
    ],
    dir,
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-out', 'supplier.key'], dir);
  openssl(['ec', '-in', 'signer.key', '-pubout', '-out', 'signer.pub'], dir);
  openssl(['ec', '-in', 'supplier.key', '-pubout', '-out', 'supplier.pub'], dir);
  writeFileSync(
    at('payload.bin'),
    Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff),
  );
  // A Supplier cell must be an SMKI Organisation Certificate (docs/PKI.md "Cells"), which
  // openssl's -subj cannot write (x500UniqueIdentifier is a BIT STRING): the test PKI's
  // Organisation CA certifies the openssl-made supplier key.
  const pki = createTestPki();
  const supplierCert = issueCertificate({
    subject: smkiName(SmkiRole.supplier, { entityId: SUPPLIER2_ENTITY_ID, cn: 'Interop Supplier' }),
    issuer: smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' }),
    publicKey: readPrivateKeyFile(at('supplier.key')).publicKey,
    signerKey: pki.orgCa.privateKey,
    serial: 77,
    notBefore: Date.UTC(2024, 0, 1) / 1000,
    notAfter: Date.UTC(2049, 0, 1) / 1000,
    extensions: [
      ext.keyUsage(['digitalSignature']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(smkiKeyId(readPrivateKeyFile(at('supplier.key')).publicKey)),
      ext.authorityKeyId(pki.orgCa.keyId),
    ],
  });
  saveTrustStoreFile(
    at('store.cbor'),
    createTrustStore(readCertificateFile(at('root.pem'))[0], { supplier2: supplierCert }),
  );

  const signArgs = [
    'sign',
    '--payload',
    at('payload.bin'),
    '--out',
    at('image.ota'),
    '--manufacturer-key',
    at('signer.key'),
    '--chain',
    at('signer.pem'),
    '--supplier-key',
    at('supplier.key'),
    '--manufacturer-code',
    '0x1234',
    '--image-type',
    '0x0042',
    '--file-version',
    '0x01000002',
    '--hw-min',
    '1',
    '--hw-max',
    '3',
  ];

  it('an image signed from openssl-made PEM keys and certificates verifies with the device verifier', async () => {
    expect((await runCli(signArgs)).code).toBe(0);
    const r = await runCli([
      'verify',
      at('image.ota'),
      '--trust',
      at('store.cbor'),
      '--current-version',
      '0x01000001',
      '--hardware-version',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out) as { accepted: boolean; supplierCell: string; payloadLength: number };
    expect(v).toMatchObject({ accepted: true, supplierCell: 'supplier2', payloadLength: 5000 });
    const old = await runCli([
      'verify',
      at('image.ota'),
      '--trust',
      at('store.cbor'),
      '--current-version',
      '0x01000002',
      '--json',
    ]);
    expect(old.code).toBe(1);
    expect(JSON.parse(old.out)).toMatchObject({ accepted: false, code: 'IMG_DOWNGRADE' });
  });

  it('openssl verifies the manufacturer signature over the manifest and the supplier signature over the Manufacturer Image', async () => {
    expect((await runCli(signArgs)).code).toBe(0);
    const file = new Uint8Array(readFileSync(at('image.ota')));
    const h = 60;
    const manifestLength = readU32(file, h + 2);
    const manifest = file.subarray(h + 6, h + 6 + manifestLength);
    const sigAt = h + 6 + manifestLength;
    expect(readU32(file, sigAt + 2)).toBe(64);
    const manufacturerSig = file.subarray(sigAt + 6, sigAt + 6 + 64);
    writeFileSync(at('manifest.bin'), manifest);
    writeFileSync(at('manifest.sig'), rawToDer(manufacturerSig));
    writeFileSync(at('mi.bin'), file.subarray(h, file.length - 66));
    writeFileSync(at('mi.sig'), rawToDer(file.subarray(file.length - 64)));
    expect(Array.from(file.subarray(file.length - 66, file.length - 64))).toEqual([0x00, 0x40]);

    const m = opensslStatus(
      ['dgst', '-sha256', '-verify', 'signer.pub', '-signature', 'manifest.sig', 'manifest.bin'],
      dir,
    );
    expect(m).toEqual({ status: 0, out: 'Verified OK\n' });
    const s = opensslStatus(['dgst', '-sha256', '-verify', 'supplier.pub', '-signature', 'mi.sig', 'mi.bin'], dir);
    expect(s).toEqual({ status: 0, out: 'Verified OK\n' });
    // And a byte changed in the covered range is refused by openssl too.
    const tampered = new Uint8Array(readFileSync(at('mi.bin')));
    tampered[100] ^= 1;
    writeFileSync(at('mi-bad.bin'), tampered);
    expect(
      opensslStatus(['dgst', '-sha256', '-verify', 'supplier.pub', '-signature', 'mi.sig', 'mi-bad.bin'], dir).status,
    ).not.toBe(0);
  });

  it('signatures made by openssl over the covered bytes are accepted in place of the tool’s', async () => {
    expect((await runCli(signArgs)).code).toBe(0);
    const file = new Uint8Array(readFileSync(at('image.ota')));
    writeFileSync(at('mi2.bin'), file.subarray(60, file.length - 66));
    const der = openssl(['dgst', '-sha256', '-sign', 'supplier.key', 'mi2.bin'], dir);
    const raw = p256.Signature.fromBytes(new Uint8Array(der), 'der').toBytes('compact');
    const resigned = file.slice();
    resigned.set(raw, file.length - 64);
    writeFileSync(at('resigned.ota'), resigned);
    const r = await runCli([
      'verify',
      at('resigned.ota'),
      '--trust',
      at('store.cbor'),
      '--hardware-version',
      '1',
      '--json',
    ]);
    expect(JSON.parse(r.out)).toMatchObject({ accepted: true, supplierCell: 'supplier2' });
    expect(r.code).toBe(0);
  });
});
