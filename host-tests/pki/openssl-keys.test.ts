/**
 * Private keys made by `openssl` load with the tools' key loader (SEC1 with and without
 * the EC PARAMETERS block, PKCS#8, PEM and DER), and keys the tools write load in openssl
 * with the same public point.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../device/util/bytes.js';
import { createTestPki, loadPrivateKey, pkcs8Pem, readPrivateKeyFile, sec1Pem } from '../../tools/pki/index.js';
import { openssl, tempDir } from './openssl.js';

/** The uncompressed public point openssl derives from a key file. */
function opensslPublicPoint(dir: string, keyFile: string): string {
  const der = openssl(['ec', '-in', keyFile, '-pubout', '-outform', 'DER'], dir);
  return toHex(der.subarray(der.length - 65));
}

describe('private keys made by openssl', () => {
  const dir = tempDir('althan-keys-');
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ecparam.pem'], dir);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sec1.pem'], dir);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'pkcs8.pem'], dir);
  openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'sec1.pem', '-outform', 'DER', '-out', 'pkcs8.der'], dir);
  openssl(['ec', '-in', 'sec1.pem', '-outform', 'DER', '-out', 'sec1.der'], dir);

  for (const [file, source] of [
    ['ecparam.pem', 'sec1.pem'],
    ['sec1.pem', 'sec1.pem'],
    ['pkcs8.pem', 'pkcs8.pem'],
    ['pkcs8.der', 'sec1.pem'],
    ['sec1.der', 'sec1.pem'],
  ] as const) {
    it(`${file} loads with the public point openssl derives`, () => {
      const key = readPrivateKeyFile(path.join(dir, file));
      expect(key.privateKey.length).toBe(32);
      expect(toHex(key.publicKey)).toBe(opensslPublicPoint(dir, file === 'ecparam.pem' ? file : source));
    });
  }

  it('a key on another curve is refused with a message naming the curve', () => {
    openssl(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'p384.pem'], dir);
    expect(() => readPrivateKeyFile(path.join(dir, 'p384.pem'))).toThrow(/1\.3\.132\.0\.34|P-256/);
  });

  it('an encrypted PKCS#8 key is refused with advice', () => {
    openssl(['pkcs8', '-topk8', '-in', 'sec1.pem', '-passout', 'pass:x', '-out', 'enc.pem'], dir);
    expect(() => readPrivateKeyFile(path.join(dir, 'enc.pem'))).toThrow(/encrypted/);
  });
});

describe('keys the tools write', () => {
  it('SEC1 and PKCS#8 PEM load in openssl with the same public point, and back in the loader', () => {
    const dir = tempDir('althan-keys-out-');
    const key = createTestPki().supplier1;
    writeFileSync(path.join(dir, 'k1.pem'), sec1Pem(key));
    writeFileSync(path.join(dir, 'k8.pem'), pkcs8Pem(key));
    expect(opensslPublicPoint(dir, 'k1.pem')).toBe(toHex(key.publicKey));
    expect(opensslPublicPoint(dir, 'k8.pem')).toBe(toHex(key.publicKey));
    expect(toHex(loadPrivateKey(readFileSync(path.join(dir, 'k8.pem'), 'latin1')).privateKey)).toBe(
      toHex(key.privateKey),
    );
  });
});
