/**
 * Cells from certificates openssl issues (a real CA, not the tools' builder): an SMKI Root
 * and Organisation CA made by openssl certify Supplier-cell candidates from PKCS#10
 * requests; `trust build` takes the digitalSignature one and refuses the keyAgreement and
 * role-03 ones, and `gbcs verify` authorises an image signed by openssl with the accepted
 * key only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { SmkiRole } from '../../device/pki/index.js';
import { concatBytes } from '../../device/util/bytes.js';
import { encodeOtaHeader, encodeTrailer } from '../../tools/image/ota-writer.js';
import { openssl } from './openssl.js';
import { runCli } from '../cli/run-cli.js';
import { opensslSmkiCa } from './openssl-smki-ca.js';

describe('Supplier cells issued by openssl', () => {
  const { dir, f, issued } = opensslSmkiCa('althan-openssl-cells-');
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
