/**
 * PEM or DER: PEM wherever "-----BEGIN " appears, whatever precedes it; DER when the whole
 * input is one DER value, even one that holds that text. Broken PEM is an IO_* error.
 */
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { parseCertificate } from '../../device/pki/x509.js';
import { equalBytes } from '../../device/util/bytes.js';
import { CliError } from '../../tools/command.js';
import { encodeName, issueCertificate } from '../../tools/pki/cert-builder.js';
import { certificatesFromBytes, createTestPki, looksLikePem, pemDecode } from '../../tools/pki/index.js';
import { Oid } from '../../device/pki/oids.js';

const pki = createTestPki();
const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CliError) return e.code;
    if (isOtaError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('PEM or DER', () => {
  it('PEM after 64 KiB of other text is still PEM', () => {
    const text = `${'Bag Attributes: localKeyID 01 02 03\n'.repeat(2000)}${pki.supplier1.pem}`;
    expect(text.indexOf('-----BEGIN')).toBeGreaterThan(64 * 1024);
    const certs = certificatesFromBytes(latin1(text));
    expect(certs.length).toBe(1);
    expect(equalBytes(certs[0], pki.supplier1.der)).toBe(true);
  });

  it('a DER certificate whose subject holds "-----BEGIN " is read as DER', () => {
    const subject = encodeName([{ oid: Oid.commonName, value: '-----BEGIN CERTIFICATE-----' }]);
    const der = issueCertificate({
      subject,
      issuer: subject,
      publicKey: pki.supplier1.publicKey,
      signerKey: pki.supplier1.privateKey,
      serial: 7,
      notBefore: 0,
      notAfter: 2_000_000_000,
      extensions: [],
    });
    expect(Buffer.from(der).toString('latin1')).toContain('-----BEGIN ');
    expect(looksLikePem(der)).toBe(false);
    expect(equalBytes(certificatesFromBytes(der)[0], der)).toBe(true);
    expect(parseCertificate(der).serial).toBeDefined();
  });

  it('broken PEM is an IO_* error, never a bare Error', () => {
    const pem = pki.supplier1.pem;
    expect(codeOf(() => pemDecode(pem.slice(0, 200)))).toBe('IO_PEM_TRUNCATED');
    expect(codeOf(() => pemDecode(pem.replace('MII', 'M*I')))).toBe('IO_PEM_BASE64');
    expect(
      codeOf(() =>
        certificatesFromBytes(latin1(`-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n`)),
      ),
    ).toBe('IO_PEM_WRONG_KIND');
    expect(codeOf(() => certificatesFromBytes(Uint8Array.from([0x30, 0x03, 1, 2])))).toBe('IO_CERTIFICATE');
  });
});
