/** `althan-ota sign`, `inspect` and `verify` end to end, on the test PKI `pki init` writes. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../pki/openssl.js';
import { signImage } from '../../tools/image/sign-image.js';
import { createTestPki, signDigestRaw } from '../../tools/pki/index.js';
import { runCli } from '../cli/run-cli.js';
import { otaImagesDir } from '../vectors/vectors.js';

const VENDOR = path.join(otaImagesDir, 'innr-1166-022d.ota');

describe('image commands', () => {
  const dir = tempDir('althan-image-cli-');
  const at = (f: string) => path.join(dir, f);

  it('sign, inspect --json and verify agree; a tampered copy is refused with its code', async () => {
    expect((await runCli(['pki', 'init', at('pki')])).code).toBe(0);
    writeFileSync(
      at('fw.bin'),
      Uint8Array.from({ length: 2048 }, (_, i) => i & 0xff),
    );
    const signed = await runCli([
      'sign',
      '--payload',
      at('fw.bin'),
      '--out',
      at('fw.ota'),
      '--manufacturer-key',
      at('pki/manufacturer-signer.key.pem'),
      '--chain',
      at('pki/manufacturer-signer.pem'),
      '--supplier-key',
      at('pki/supplier2.key.pem'),
      '--manufacturer-code',
      '4660',
      '--image-type',
      '0x42',
      '--file-version',
      '0x00030000',
      '--hw-min',
      '2',
      '--hw-max',
      '2',
      '--description',
      'cli test',
    ]);
    expect(signed.code).toBe(0);
    const info = JSON.parse((await runCli(['inspect', at('fw.ota'), '--json'])).out) as {
      header: { manufacturerCode: string; totalImageSize: number };
      elements: { tag: string; length: number }[];
      manifest: { fileVersion: string; payloadLength: number; description: string };
      chain: { subject: string }[];
      trailer: { marker: string };
      manufacturerImage: { sha256: string };
      notes: string[];
    };
    expect(info.header.manufacturerCode).toBe('0x1234');
    expect(info.elements.map((e) => e.tag)).toEqual(['0xf100', '0xf101', '0xf102', '0x0000']);
    expect(info.elements[3].length).toBe(2048);
    expect(info.manifest).toMatchObject({ fileVersion: '0x00030000', payloadLength: 2048, description: 'cli test' });
    expect(info.chain[0].subject).toContain('Firmware Signer');
    expect(info.trailer.marker).toBe('0040');
    expect(info.notes).toEqual([]);

    // A full-chain input (leaf then the self-signed root) signs the same way: the anchor is left out.
    const full = await runCli([
      'sign',
      '--payload',
      at('fw.bin'),
      '--out',
      at('fw-full.ota'),
      '--manufacturer-key',
      at('pki/manufacturer-signer.key.pem'),
      '--chain',
      at('pki/manufacturer-signer.pem'),
      '--chain',
      at('pki/manufacturer-root.pem'),
      '--supplier-key',
      at('pki/supplier2.key.pem'),
      '--manufacturer-code',
      '4660',
      '--image-type',
      '0x42',
      '--file-version',
      '0x00030000',
      '--hw-min',
      '2',
      '--hw-max',
      '2',
    ]);
    expect(full.code).toBe(0);
    expect(full.out).toContain('left out 1 self-signed');
    const fullInfo = JSON.parse((await runCli(['inspect', at('fw-full.ota'), '--json'])).out) as { chain: unknown[] };
    expect(fullInfo.chain.length).toBe(1);

    const ok = await runCli([
      'verify',
      at('fw.ota'),
      '--trust',
      at('pki/trust-store.cbor'),
      '--hardware-version',
      '2',
      '--current-version',
      '0x00020000',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    const v = JSON.parse(ok.out) as { manufacturerImageHash: string; supplierCell: string };
    expect(v.manufacturerImageHash).toBe(info.manufacturerImage.sha256);
    expect(v.supplierCell).toBe('supplier2');
    const wrongHw = await runCli([
      'verify',
      at('fw.ota'),
      '--trust',
      at('pki/trust-store.cbor'),
      '--hardware-version',
      '3',
    ]);
    expect(wrongHw.code).toBe(1);
    expect(wrongHw.out).toContain('IMG_HW_VERSION');

    const bytes = new Uint8Array(readFileSync(at('fw.ota')));
    bytes[bytes.length - 500] ^= 0x80;
    writeFileSync(at('tampered.ota'), bytes);
    const bad = await runCli(['verify', at('tampered.ota'), '--trust', at('pki/trust-store.cbor'), '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ accepted: false, code: 'IMG_PAYLOAD_DIGEST' });
  });

  it('inspect reads an unsigned vendor file; verify refuses it as IMG_UNSIGNED', async () => {
    const text = await runCli(['inspect', VENDOR]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/manufacturerCode\s+0x1166/);
    expect(text.out).toContain('0x0003 image integrity code');
    expect(text.out).toContain('IMG_UNSIGNED');
    expect((await runCli(['pki', 'init', at('pki2')])).code).toBe(0);
    const r = await runCli(['verify', VENDOR, '--trust', at('pki2/trust-store.cbor'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ accepted: false, code: 'IMG_UNSIGNED' });
  });

  it('sign refuses an empty payload (IMG_PAYLOAD_EMPTY, exit 1) and writes nothing; verify refuses such an image with the same code', async () => {
    expect((await runCli(['pki', 'init', at('pki3')])).code).toBe(0);
    writeFileSync(at('empty.bin'), new Uint8Array(0));
    const r = await runCli([
      'sign',
      '--payload',
      at('empty.bin'),
      '--out',
      at('empty.ota'),
      '--manufacturer-key',
      at('pki3/manufacturer-signer.key.pem'),
      '--chain',
      at('pki3/manufacturer-signer.pem'),
      '--supplier-key',
      at('pki3/supplier2.key.pem'),
      '--manufacturer-code',
      '4660',
      '--image-type',
      '0x42',
      '--file-version',
      '0x00030000',
      '--hw-min',
      '2',
      '--hw-max',
      '2',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('IMG_PAYLOAD_EMPTY');
    expect(existsSync(at('empty.ota'))).toBe(false);
    // One made without the CLI's check (the library signs what it is given) is refused by the device's verifier.
    const p = createTestPki();
    const image = signImage(
      {
        manufacturerCode: 0x1234,
        imageType: 0x42,
        fileVersion: 0x00030000,
        minHardwareVersion: 2,
        maxHardwareVersion: 2,
        payload: new Uint8Array(0),
      },
      {
        manufacturer: (d) => signDigestRaw(p.manufacturerSigner.privateKey, d),
        chain: [p.manufacturerSigner.der],
        supplier: (d) => signDigestRaw(p.supplier2.privateKey, d),
      },
    );
    writeFileSync(at('empty-lib.ota'), image.file);
    const v = await runCli(['verify', at('empty-lib.ota'), '--trust', at('pki3/trust-store.cbor'), '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({ accepted: false, code: 'IMG_PAYLOAD_EMPTY' });
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['verify', VENDOR])).code).toBe(2);
    expect((await runCli(['sign', '--payload', VENDOR])).code).toBe(2);
  });
});
