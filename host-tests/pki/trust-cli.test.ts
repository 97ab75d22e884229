/**
 * `althan-ota trust build` / `trust show`, and `verify --at` against a store whose Supplier
 * cell has expired: every cell is checked by the device's code, with the exit-code
 * contract (0 done, 1 refused with a stable code, 2 usage error).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTrustStore, SmkiRole } from '../../device/pki/index.js';
import { pemEncode } from '../../tools/pki/pem.js';
import { signDigestRaw } from '../../tools/pki/index.js';
import { signed, testPki } from '../image/signed-fixture.js';
import type { Issued } from './fixtures.js';
import { tempDir } from './openssl.js';
import { runCli } from '../cli/run-cli.js';
import { type CellChange, supplierCell } from './supplier-cell.js';

const ENTITY = Uint8Array.from([0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x07, 0x00, 0x00]);

const supplier = (label: string, change: CellChange = {}): Issued => supplierCell(label, ENTITY, change);

describe('trust build and trust show', () => {
  const dir = tempDir('althan-trust-');
  const f = (name: string) => path.join(dir, name);
  const pki = testPki();
  writeFileSync(f('manufacturer.pem'), pki.manufacturerRoot.pem);
  writeFileSync(f('root.der'), pki.smkiRoot.der);
  writeFileSync(f('supplier1-chain.pem'), pki.supplier1.pem + pki.orgCa.pem);
  const good = supplier('trust-good');
  const expiring = supplier('trust-expiring', { notAfter: Date.UTC(2030, 0, 1) / 1000 });
  writeFileSync(f('good.der'), good.der);
  writeFileSync(f('expiring.pem'), pemEncode('CERTIFICATE', expiring.der));
  writeFileSync(f('ka.pem'), pemEncode('CERTIFICATE', supplier('trust-ka', { usage: ['keyAgreement'] }).der));
  writeFileSync(f('no.pem'), pemEncode('CERTIFICATE', supplier('trust-03', { role: SmkiRole.networkOperator }).der));
  const base = ['trust', 'build', '--manufacturer-anchor', f('manufacturer.pem'), '--root', f('root.der')];

  it('builds a store from PEM and DER files that decodes as the device would, and shows it', async () => {
    const r = await runCli([
      ...base,
      '--supplier1',
      f('supplier1-chain.pem'),
      '--supplier2',
      f('good.der'),
      '--out',
      f('store.cbor'),
      '--at',
      '2026-06-01T00:00:00Z',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      written: boolean;
      timeChecked: boolean;
      cells: { cell: string; check: string; role?: string }[];
    };
    expect(out.written).toBe(true);
    expect(out.timeChecked).toBe(true);
    expect(out.cells.map((c) => [c.cell, c.check, c.role])).toEqual([
      ['manufacturer', 'ok', undefined],
      ['root', 'ok', '00'],
      ['supplier1', 'ok', '02'],
      ['supplier2', 'ok', '02'],
    ]);
    const store = decodeTrustStore(new Uint8Array(readFileSync(f('store.cbor'))));
    expect(store.cells.supplier1).toEqual(pki.supplier1.der);
    expect(store.cells.supplier2).toEqual(good.der);
    const show = await runCli(['trust', 'show', f('store.cbor')]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('supplier2');
    expect(show.stdout).toContain('validity NOT checked');
  });

  const refusals: [string, string, string[], string][] = [
    ['a keyAgreement certificate', 'ka.pem', [], 'PKI_PROFILE_SMKI_KEY_USAGE'],
    ['a role-03 certificate', 'no.pem', [], 'PKI_PROFILE_SMKI_ROLE'],
    ['an expired certificate at --at', 'expiring.pem', ['--at', '2031-01-01T00:00:00Z'], 'PKI_EXPIRED'],
  ];
  for (const [what, file, extra, code] of refusals) {
    it(`refuses ${what} as a Supplier cell and writes nothing`, async () => {
      const out = f(`refused-${file}.cbor`);
      const r = await runCli([...base, '--supplier1', f(file), '--out', out, ...extra, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ written: false, code });
      expect(() => readFileSync(out)).toThrow();
    });
  }

  it('usage errors exit 2', async () => {
    expect((await runCli(['trust', 'build', '--out', f('x.cbor')])).code).toBe(2);
    expect((await runCli([...base, '--out', f('x.cbor'), '--at', 'yesterday'])).code).toBe(2);
    expect((await runCli(['trust', 'show'])).code).toBe(2);
  });

  it('verify --at refuses an image authorised only by an expired Supplier cell, and trust show names it', async () => {
    // Built without a time (validity not checkable), the store holds the cell; at a trusted time after its expiry it authorises nothing.
    expect((await runCli([...base, '--supplier1', f('expiring.pem'), '--out', f('expiring.cbor')])).code).toBe(0);
    const image = signed({}, { supplier: (d) => signDigestRaw(expiring.key.privateKey, d) }).file;
    writeFileSync(f('image.ota'), image);
    const verifyArgs = [
      'verify',
      f('image.ota'),
      '--trust',
      f('expiring.cbor'),
      '--current-version',
      '0x00010000',
      '--hardware-version',
      '2',
    ];
    const before = await runCli([...verifyArgs, '--at', '2029-01-01T00:00:00Z']);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('certificate validity: checked');
    const after = await runCli([...verifyArgs, '--at', '2031-01-01T00:00:00Z']);
    expect(after.code).toBe(1);
    expect(after.stdout).not.toContain('certificate validity: checked');
    expect(after.stderr).toContain('IMG_SUPPLIER_CELL');
    expect(after.stderr).toContain('PKI_EXPIRED');
    const json = await runCli([...verifyArgs, '--at', '2031-01-01T00:00:00Z', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ accepted: false, code: 'IMG_SUPPLIER_CELL' });
    expect(JSON.parse(json.stdout).message).toContain('PKI_EXPIRED');
    const show = await runCli(['trust', 'show', f('expiring.cbor'), '--at', '2031-01-01T00:00:00Z', '--json']);
    expect(show.code).toBe(1);
    expect(JSON.parse(show.stdout)).toMatchObject({ valid: false, code: 'PKI_EXPIRED' });
  });
});
