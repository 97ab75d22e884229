/**
 * `althan-ota trust replace` with keys and certificates openssl made (a real CA, not the
 * tools' builder), the device's own check against the store, the exit-code contract, and
 * `simulate` relaying the command to the emulated device.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCredentialCommand } from '../../device/pki/credential-check.js';
import { decodeCredentialCommand } from '../../device/pki/credential-command.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { buildCsr, pemEncode, readPrivateKeyFile, smkiName } from '../../tools/pki/index.js';
import { loadTrustStoreFile } from '../../tools/pki/trust-store-file.js';
import { openssl, tempDir } from '../pki/openssl.js';
import { runCli } from '../cli/run-cli.js';
import { crypto } from './credential-fixture.js';
import { opensslSmkiCa, SMKI_EXTENSIONS } from '../pki/openssl-smki-ca.js';

interface Json {
  written?: boolean;
  code?: string;
  answer?: number;
  [k: string]: unknown;
}

describe('trust replace with openssl-made keys and certificates', () => {
  const { f, issued } = opensslSmkiCa('althan-trust-replace-');
  const supplier1 = issued('supplier1', SmkiRole.supplier, 'signing', 10);
  const recovery = issued('recovery', SmkiRole.recovery, 'recovery', 11);
  const incoming = issued('incoming', SmkiRole.supplier, 'signing2', 12);
  const agreement = issued('agreement', SmkiRole.supplier, 'agreement', 13);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z'); // openssl dated the certificates from the host clock

  const base = (out: string) => [
    'trust',
    'replace',
    '--cell',
    'supplier1',
    '--authority',
    'recovery',
    '--key',
    f('recovery.key'),
    '--chain',
    f('ca.pem'),
    '--out',
    f(out),
    '--json',
  ];

  it('builds the store with trust build, then writes a command the device applies', async () => {
    const built = await runCli([
      'trust',
      'build',
      '--manufacturer-anchor',
      f('manufacturer.pem'),
      '--root',
      f('root.pem'),
      '--recovery',
      recovery,
      '--supplier1',
      supplier1,
      '--out',
      f('store.cbor'),
      '--at',
      now,
      '--json',
    ]);
    expect(built.code).toBe(0);
    const r = await runCli([
      ...base('cmd.bin'),
      '--cert',
      incoming,
      '--counter',
      '1700000000',
      '--store',
      f('store.cbor'),
      '--at',
      now,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      written: true,
      cell: 'supplier1',
      authority: 'recovery',
      counter: 1700000000,
      pathCertificates: 1,
      checked: true,
      answer: 0,
      timeChecked: true,
    });
    const bytes = new Uint8Array(readFileSync(f('cmd.bin')));
    const command = decodeCredentialCommand(bytes);
    expect(command.path).toHaveLength(1);
    // The device's check, on its own: the new Supplier cell and the counter.
    const next = checkCredentialCommand(bytes, {
      store: loadTrustStoreFile(f('store.cbor')),
      crypto,
      now: { unixSeconds: Date.now() / 1000, trusted: true },
    }).next;
    expect(next.counter).toBe(1700000000);
    expect(next.cells.supplier1).toEqual(command.certificate);
  });

  it('a command the device would refuse is not written: exit 1 with its code and CS02b answer', async () => {
    const notAuthorised = await runCli([
      'trust',
      'replace',
      '--cell',
      'supplier2',
      '--authority',
      'supplier1',
      '--key',
      f('supplier1.key'),
      '--cert',
      incoming,
      '--chain',
      f('ca.pem'),
      '--counter',
      '2',
      '--store',
      f('store.cbor'),
      '--out',
      f('no1.bin'),
      '--json',
    ]);
    expect(notAuthorised.code).toBe(1);
    expect(JSON.parse(notAuthorised.stdout)).toMatchObject({ written: false, code: 'CRED_NOT_AUTHORISED', answer: 10 });
    const wrongKey = await runCli([
      'trust',
      'replace',
      '--cell',
      'supplier1',
      '--authority',
      'recovery',
      '--key',
      f('supplier1.key'),
      '--cert',
      incoming,
      '--chain',
      f('ca.pem'),
      '--counter',
      '2',
      '--store',
      f('store.cbor'),
      '--out',
      f('no2.bin'),
      '--json',
    ]);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ written: false, code: 'CRED_SIGNATURE', answer: 10 });
    const keyAgreement = await runCli([
      ...base('no3.bin'),
      '--cert',
      agreement,
      '--counter',
      '2',
      '--store',
      f('store.cbor'),
    ]);
    expect(JSON.parse(keyAgreement.stdout)).toMatchObject({ written: false, code: 'CRED_BAD_CERTIFICATE', answer: 5 });
    expect(JSON.parse(keyAgreement.stdout).message).toContain('PKI_PROFILE_SMKI_KEY_USAGE');
    const noPath = await runCli([
      'trust',
      'replace',
      '--cell',
      'supplier1',
      '--authority',
      'recovery',
      '--key',
      f('recovery.key'),
      '--cert',
      incoming,
      '--counter',
      '2',
      '--store',
      f('store.cbor'),
      '--out',
      f('no4.bin'),
      '--json',
    ]);
    expect(JSON.parse(noPath.stdout)).toMatchObject({ written: false, code: 'CRED_BAD_PATH', answer: 5 });
    for (const n of ['no1.bin', 'no2.bin', 'no3.bin', 'no4.bin']) expect(() => readFileSync(f(n))).toThrow();
  });

  it('usage errors exit 2, unreadable files 3, an existing output 1 without --force; --json is one object on every path', async () => {
    const cases: [string[], number, string][] = [
      [
        [
          'trust',
          'replace',
          '--cell',
          'supplier1',
          '--authority',
          'recovery',
          '--key',
          f('recovery.key'),
          '--cert',
          incoming,
          '--out',
          f('u1.bin'),
          '--json',
        ],
        2,
        'USAGE_REQUIRED',
      ],
      [
        [
          'trust',
          'replace',
          '--cell',
          'supplier9',
          '--authority',
          'recovery',
          '--key',
          f('recovery.key'),
          '--cert',
          incoming,
          '--counter',
          '1',
          '--out',
          f('u2.bin'),
          '--json',
        ],
        2,
        'USAGE_BAD_VALUE',
      ],
      [
        [
          'trust',
          'replace',
          '--cell',
          'supplier1',
          '--authority',
          'recovery',
          '--key',
          f('recovery.key'),
          '--cert',
          incoming,
          '--counter',
          '0',
          '--out',
          f('u3.bin'),
          '--json',
        ],
        2,
        'USAGE_BAD_VALUE',
      ],
      [
        [
          'trust',
          'replace',
          '--cell',
          'supplier1',
          '--authority',
          'recovery',
          '--key',
          f('recovery.key'),
          '--cert',
          incoming,
          '--counter',
          '1',
          '--target',
          'xyz',
          '--out',
          f('u4.bin'),
          '--json',
        ],
        2,
        'USAGE_BAD_VALUE',
      ],
      [
        [
          'trust',
          'replace',
          '--cell',
          'supplier1',
          '--authority',
          'recovery',
          '--key',
          f('missing.key'),
          '--cert',
          incoming,
          '--counter',
          '1',
          '--out',
          f('u5.bin'),
          '--json',
        ],
        3,
        'IO_',
      ],
      [[...base('cmd.bin'), '--cert', incoming, '--counter', '3'], 1, 'OUT_EXISTS'],
    ];
    for (const [args, exit, code] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(exit);
      const lines = r.stdout.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      const out = JSON.parse(lines[0]) as Json & { error?: { code: string; exitCode: number } };
      expect(out.error?.code ?? out.code, args.join(' ')).toContain(code);
    }
  });
});

describe('simulate relays a replacement command to the emulated device', () => {
  const dir = tempDir('althan-simulate-replace-');
  const f = (name: string) => path.join(dir, name);

  it('pki init, an openssl-issued Supplier for cell supplier1, trust replace; the fresh image (signed by the old supplier1) is then refused', async () => {
    expect((await runCli(['pki', 'init', dir, '--json'])).code).toBe(0);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'new.key'], dir);
    const key = readPrivateKeyFile(f('new.key'));
    writeFileSync(
      f('new.csr'),
      pemEncode(
        'CERTIFICATE REQUEST',
        buildCsr(
          smkiName(SmkiRole.supplier, {
            entityId: Uint8Array.from([0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x09, 0, 0]),
            cn: 'Incoming',
          }),
          key,
        ),
      ),
    );
    writeFileSync(f('ext.cnf'), SMKI_EXTENSIONS);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'new.csr',
        '-CA',
        'smki-org-ca.pem',
        '-CAkey',
        'smki-org-ca.key.pem',
        '-set_serial',
        '77',
        '-days',
        '365',
        '-extfile',
        'ext.cnf',
        '-extensions',
        'signing2',
        '-out',
        'new.pem',
      ],
      dir,
    );
    const made = await runCli([
      'trust',
      'replace',
      '--cell',
      'supplier1',
      '--authority',
      'supplier1',
      '--key',
      f('supplier1.key.pem'),
      '--cert',
      f('new.pem'),
      '--chain',
      f('smki-org-ca.pem'),
      '--counter',
      '5',
      '--store',
      f('trust-store.cbor'),
      '--out',
      f('cmd.bin'),
      '--json',
    ]);
    expect(made.code).toBe(0);
    for (const at of ['idle', 'download']) {
      // As a user runs it: the real bin, a child process (simulate writes its JSON to stdout itself).
      const r = spawnSync(
        process.execPath,
        [
          'bin/althan-ota.js',
          'simulate',
          '--size',
          '20000',
          '--credential-command',
          f('cmd.bin'),
          '--credential-at',
          at,
          '--json',
        ],
        { encoding: 'utf8' },
      );
      expect(r.status, `${at}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!), at).toMatchObject({
        outcome: 'refused',
        credentialAnswer: 0,
      });
    }
  });
});
