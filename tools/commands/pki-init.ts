/**
 * `althan-ota pki init DIR`: writes the test hierarchy (createTestPki) as PEM and DER
 * certificates, SEC1 PEM keys, chain files and the device trust store file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { encodeTrustStore, parseCertificate } from '../../device/pki/index.js';
import { toHex } from '../../device/util/index.js';
import { parseCommandArgs, refused, type Command } from '../command.js';
import { writeFilesAllOrNone } from '../io/write-files.js';
import { nameToString } from '../pki/describe.js';
import { sec1Pem } from '../pki/keys.js';
import { createTestPki, type TestCert } from '../pki/test-pki.js';
import { buildTrustStore } from '../pki/trust-build.js';
import { ToolRefusal } from '../refusals.js';

export const TRUST_STORE_FILE = 'trust-store.cbor';

export const pkiInit: Command = {
  name: ['pki', 'init'],
  summary:
    'write a test PKI (SMKI root, organisation CA, two suppliers; manufacturer root and signer) and a device trust store',
  usage: 'althan-ota pki init DIR [--seed TEXT] [--force] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      { seed: 'string', force: 'boolean', json: 'boolean' },
      { min: 1, max: 1, what: 'DIR' },
    );
    const dir = a.positionals[0];
    const seed = a.string('seed');
    const pki = createTestPki(seed === undefined ? {} : { seed });
    const parts: [string, TestCert, string][] = [
      ['smki-root', pki.smkiRoot, 'SMKI Root (OU=00), trust anchor cell "root"'],
      ['smki-org-ca', pki.orgCa, 'SMKI Organisation CA (OU=07, CN=Z1)'],
      ['supplier1', pki.supplier1, 'Supplier 1 digital signing (OU=02), cell "supplier1"'],
      ['supplier2', pki.supplier2, 'Supplier 2 digital signing (OU=02), cell "supplier2"'],
      ['manufacturer-root', pki.manufacturerRoot, "manufacturer root, the firmware build's manufacturer anchor"],
      ['manufacturer-signer', pki.manufacturerSigner, 'manufacturer image signer'],
    ];
    const files: [string, string | Uint8Array, string][] = [];
    for (const [name, cert, what] of parts) {
      files.push([`${name}.pem`, cert.pem, `${what}: certificate`]);
      files.push([`${name}.der`, cert.der, `${what}: certificate, DER`]);
      files.push([`${name}.key.pem`, sec1Pem(cert), `${what}: private key (SEC1)`]);
    }
    files.push([
      'supplier1-chain.pem',
      pki.supplier1.pem + pki.orgCa.pem,
      'supplier 1 certificate then the organisation CA',
    ]);
    files.push([
      'supplier2-chain.pem',
      pki.supplier2.pem + pki.orgCa.pem,
      'supplier 2 certificate then the organisation CA',
    ]);
    // The same building and cell checks as `trust build`, from the certificates written here.
    const store = buildTrustStore({
      manufacturerAnchor: pki.manufacturerRoot.der,
      cells: { root: pki.smkiRoot.der, supplier1: pki.supplier1.der, supplier2: pki.supplier2.der },
    });
    files.push([
      TRUST_STORE_FILE,
      encodeTrustStore(store),
      'device trust store: root, supplier1, supplier2 cells + manufacturer anchor',
    ]);
    if (!a.flag('force')) {
      const existing = files.map((f) => f[0]).filter((f) => existsSync(path.join(dir, f)));
      if (existing.length)
        throw refused(
          ToolRefusal.outputExists,
          `${dir} already holds ${existing.join(', ')}: use --force to overwrite`,
        );
    }
    // All or none: a set that is part old, part new would hold keys that match no certificate.
    writeFilesAllOrNone(
      files.map(([file, content]) => ({ path: path.join(dir, file), content })),
      dir,
    );
    if (a.flag('json')) {
      console.log(
        JSON.stringify({
          dir,
          ...(seed === undefined ? {} : { seed }),
          files: files.map(([file, , what]) => ({ file, what })),
        }),
      );
      return 0;
    }

    console.log(`test PKI written to ${dir}${seed === undefined ? '' : ` (seed "${seed}")`}:`);
    for (const [file, , what] of files) console.log(`  ${file.padEnd(28)} ${what}`);
    console.log('');
    for (const [name, cert] of parts) {
      const c = parseCertificate(cert.der);
      console.log(`  ${name.padEnd(20)} subject ${nameToString(c.subject)}; key id ${toHex(cert.keyId)}`);
    }
    console.log('\nthese keys are for tests only: never load them into a production device');
    return 0;
  },
};
