/**
 * `althan-ota pki init DIR`: writes the test hierarchy (createTestPki) as PEM and DER
 * certificates, SEC1 PEM keys, chain files and the device trust store file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCertificate } from '../../device/pki/x509.js';
import { toHex } from '../../device/util/bytes.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { nameToString } from '../pki/describe.js';
import { sec1Pem } from '../pki/keys.js';
import { createTestPki, type TestCert } from '../pki/test-pki.js';
import { buildTrustStore } from '../pki/trust-build.js';
import { saveTrustStoreFile } from '../pki/trust-store-file.js';

export const TRUST_STORE_FILE = 'trust-store.cbor';

export const pkiInit: Command = {
  name: ['pki', 'init'],
  summary: 'write a test PKI (SMKI root, organisation CA, two suppliers; manufacturer root and signer) and a device trust store',
  usage: 'althan-ota pki init DIR [--seed TEXT] [--force]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['force']);
    if (positional.length !== 1) throw new UsageError('pki init needs exactly one directory');
    const dir = positional[0];
    const seed = flags.get('seed')?.[0];
    const pki = createTestPki(seed === undefined ? {} : { seed });
    const parts: [string, TestCert, string][] = [
      ['smki-root', pki.smkiRoot, 'SMKI Root (OU=00), trust anchor cell "root"'],
      ['smki-org-ca', pki.orgCa, 'SMKI Organisation CA (OU=07, CN=Z1)'],
      ['supplier1', pki.supplier1, 'Supplier 1 digital signing (OU=02), cell "supplier1"'],
      ['supplier2', pki.supplier2, 'Supplier 2 digital signing (OU=02), cell "supplier2"'],
      ['manufacturer-root', pki.manufacturerRoot, 'manufacturer root, the firmware build\'s manufacturer anchor'],
      ['manufacturer-signer', pki.manufacturerSigner, 'manufacturer image signer'],
    ];
    const files: [string, string | Uint8Array, string][] = [];
    for (const [name, cert, what] of parts) {
      files.push([`${name}.pem`, cert.pem, `${what}: certificate`]);
      files.push([`${name}.der`, cert.der, `${what}: certificate, DER`]);
      files.push([`${name}.key.pem`, sec1Pem(cert), `${what}: private key (SEC1)`]);
    }
    files.push(['supplier1-chain.pem', pki.supplier1.pem + pki.orgCa.pem, 'supplier 1 certificate then the organisation CA']);
    files.push(['supplier2-chain.pem', pki.supplier2.pem + pki.orgCa.pem, 'supplier 2 certificate then the organisation CA']);
    if (!flags.has('force')) {
      const existing = [...files.map((f) => f[0]), TRUST_STORE_FILE].filter((f) => existsSync(path.join(dir, f)));
      if (existing.length) throw new UsageError(`${dir} already holds ${existing.join(', ')}: use --force to overwrite`);
    }
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of files) writeFileSync(path.join(dir, file), content);
    // The same building and cell checks as `trust build`, from the certificates just written.
    const store = buildTrustStore({
      manufacturerAnchor: pki.manufacturerRoot.der,
      cells: { root: pki.smkiRoot.der, supplier1: pki.supplier1.der, supplier2: pki.supplier2.der },
    });
    saveTrustStoreFile(path.join(dir, TRUST_STORE_FILE), store);

    console.log(`test PKI written to ${dir}${seed === undefined ? '' : ` (seed "${seed}")`}:`);
    for (const [file, , what] of files) console.log(`  ${file.padEnd(28)} ${what}`);
    console.log(`  ${TRUST_STORE_FILE.padEnd(28)} device trust store: root, supplier1, supplier2 cells + manufacturer anchor`);
    console.log('');
    for (const [name, cert] of parts) {
      const c = parseCertificate(cert.der);
      console.log(`  ${name.padEnd(20)} subject ${nameToString(c.subject)}; key id ${toHex(cert.keyId)}`);
    }
    console.log('\nthese keys are for tests only: never load them into a production device');
    return 0;
  },
};
