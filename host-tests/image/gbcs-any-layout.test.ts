/**
 * GBCS Upgrade Images whose Manufacturer Image is not althan-ota's layout, and vendor files
 * with a prefix before the OTA magic: `inspect` finds the trailer at T − 66, the
 * Manufacturer Image range and its hash (the CS06 hash); `gbcs verify` checks the supplier
 * signature alone; other vendors' 0xF1xx tags get neutral names.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { gbcsLayout } from '../../device/image/gbcs-upgrade-image.js';
import { concatBytes, toHex } from '../../device/util/bytes.js';
import { assembleOtaFile, encodeOtaHeader, encodeTrailer, type HeaderFields } from '../../tools/image/ota-writer.js';
import { inspectImage, type Inspection } from '../../tools/image/inspect-image.js';
import { signDigestRaw } from '../../tools/pki/index.js';
import { saveTrustStoreFile } from '../../tools/pki/trust-store-file.js';
import { tempDir } from '../pki/openssl.js';
import { runCli } from '../cli/run-cli.js';
import { signed, testPki } from './signed-fixture.js';

// The DCC RTDS vector's header values (REFERENCE.md §3): field control 0x0004, 60-byte header.
const HEADER: HeaderFields = {
  manufacturerCode: 0x121d,
  imageType: 0x0001,
  fileVersion: 0xacdcacdc,
  minHardwareVersion: 0x1111,
  maxHardwareVersion: 0x1211,
};

/** A manufacturer-defined Manufacturer Image: its first bytes read as an element longer than the file. */
function opaqueManufacturerImage(length: number): Uint8Array {
  const mi = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
  mi.set([0x00, 0xf0, 0x10, 0x27, 0x00, 0x00], 0);
  return mi;
}

/** header ‖ Manufacturer Image ‖ 00 40 ‖ supplier signature over SHA-256(Manufacturer Image). */
function gbcsImage(mi: Uint8Array, signerKey = testPki().supplier1.privateKey): Uint8Array {
  const headerLength = encodeOtaHeader(HEADER, 0).length;
  const total = headerLength + mi.length + 66;
  return concatBytes(encodeOtaHeader(HEADER, total), mi, encodeTrailer(signDigestRaw(signerKey, sha256(mi))));
}

describe('GBCS Upgrade Image with a manufacturer-defined Manufacturer Image', () => {
  const mi = opaqueManufacturerImage(235);
  const image = gbcsImage(mi);
  const dir = tempDir('althan-gbcs-');
  const at = (f: string) => path.join(dir, f);
  writeFileSync(at('image.ota'), image);
  saveTrustStoreFile(at('store.cbor'), testPki().trustStore);

  it('is laid out as the DCC vector: 361 bytes = 60 + 235 + 2 + 64', () => {
    expect(image.length).toBe(361);
    expect(gbcsLayout(image)).toMatchObject({
      headerLength: 60,
      trailerOffset: 295,
      manufacturerImage: { offset: 60, length: 235 },
    });
  });

  it('inspect reports the trailer at T-66, the Manufacturer Image range and its SHA-256', async () => {
    const info = inspectImage(image);
    expect(info.layout).toBe('manufacturer-defined');
    expect(info.trailer).toMatchObject({ offset: 295, marker: '0040' });
    expect(info.trailer!.supplierSignature).toBe(toHex(image.subarray(297)));
    expect(info.manufacturerImage).toEqual({ offset: 60, length: 235, sha256: toHex(sha256(mi)) });
    const text = await runCli(['inspect', at('image.ota')]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('GBCS trailer at 295 (T-66): 0040');
    expect(text.out).toContain(`Manufacturer Image: offset 60, 235 bytes, SHA-256 ${toHex(sha256(mi))}`);
  });

  it('gbcs verify checks the supplier signature alone; a flipped byte is refused', async () => {
    const ok = await runCli(['gbcs', 'verify', at('image.ota'), '--trust', at('store.cbor'), '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({
      verified: true,
      supplierCell: 'supplier1',
      manufacturerImageHash: toHex(sha256(mi)),
      trailerOffset: 295,
    });
    for (const at_ of [60, 200, 294, 300]) {
      const bad = image.slice();
      bad[at_] ^= 0x01;
      writeFileSync(at('bad.ota'), bad);
      const r = await runCli(['gbcs', 'verify', at('bad.ota'), '--trust', at('store.cbor'), '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ verified: false, code: 'IMG_SUPPLIER_SIGNATURE' });
    }
    // The whole device verifier refuses it (not althan-ota's layout), as it should.
    const full = await runCli(['verify', at('image.ota'), '--trust', at('store.cbor'), '--json']);
    expect(full.code).toBe(1);
    expect(JSON.parse(full.out)).toMatchObject({ code: 'IMG_UNSIGNED' });
  });

  it('gbcs verify refuses a key no Supplier cell holds, a missing trailer, and usage errors', async () => {
    writeFileSync(at('other.ota'), gbcsImage(mi, testPki().manufacturerSigner.privateKey));
    expect(
      JSON.parse((await runCli(['gbcs', 'verify', at('other.ota'), '--trust', at('store.cbor'), '--json'])).out),
    ).toMatchObject({ code: 'IMG_SUPPLIER_SIGNATURE' });
    writeFileSync(at('plain.ota'), assembleOtaFile(HEADER, [{ tag: 0x0000, data: mi }]));
    expect(
      JSON.parse((await runCli(['gbcs', 'verify', at('plain.ota'), '--trust', at('store.cbor'), '--json'])).out),
    ).toMatchObject({ code: 'IMG_TRAILER' });
    expect((await runCli(['gbcs', 'verify', at('image.ota')])).code).toBe(2);
  });

  it('an althan-ota image gives the same range and hash from inspect, gbcs verify and the device verifier', async () => {
    const s = signed({}, {});
    const info = inspectImage(s.file);
    expect(info.layout).toBe('althan-ota');
    expect(info.manufacturerImage!.sha256).toBe(toHex(s.manufacturerImageHash));
    expect(info.trailer!.offset).toBe(s.file.length - 66);
    writeFileSync(at('althan.ota'), s.file);
    const r = await runCli(['gbcs', 'verify', at('althan.ota'), '--trust', at('store.cbor'), '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ verified: true, manufacturerImageHash: toHex(s.manufacturerImageHash) });
  });
});

describe('vendor files in inspect', () => {
  const foreign = assembleOtaFile({ manufacturerCode: 0x117c, imageType: 0x2101, fileVersion: 0x23094631 }, [
    { tag: 0xf100, data: Uint8Array.from({ length: 20 }, (_, i) => i) },
    { tag: 0xf101, data: Uint8Array.from({ length: 64 }, (_, i) => 255 - i) },
    { tag: 0xf102, data: Uint8Array.from([0, 42, 0, 0, 1, 2]) },
    { tag: 0x0000, data: Uint8Array.from({ length: 500 }, (_, i) => i & 0xff) },
  ]);

  function check(info: Inspection): void {
    expect(info.header).toMatchObject({ manufacturerCode: '0x117c', fileVersion: '0x23094631' });
    expect(info.layout).toBe('zigbee');
    expect(info.elements.map((e) => [e.tag, e.name])).toEqual([
      ['0xf100', 'manufacturer specific'],
      ['0xf101', 'manufacturer specific'],
      ['0xf102', 'manufacturer specific'],
      ['0x0000', 'upgrade image'],
    ]);
    expect(info.chain).toBeUndefined();
    expect(info.manufacturerSignature).toBeUndefined();
    expect(info.trailer).toBeUndefined();
  }

  it("another vendor's 0xF100-0xF102 tags are named neutrally", () => {
    const info = inspectImage(foreign);
    check(info);
    expect(info.vendorPrefix).toBeUndefined();
  });

  for (const prefix of [4, 152, 712]) {
    it(`finds the OTA magic after a ${prefix}-byte vendor prefix and says so`, async () => {
      const file = concatBytes(
        Uint8Array.from({ length: prefix }, (_, i) => (i * 7 + 3) & 0x7f),
        foreign,
      );
      const info = inspectImage(file);
      check(info);
      expect(info.vendorPrefix).toEqual({ length: prefix, sha256: toHex(sha256(file.subarray(0, prefix))) });
      expect(info.elements[0].offset).toBe(56); // counted from the magic
      const dir = tempDir('althan-prefix-');
      writeFileSync(path.join(dir, 'v.ota'), file);
      const text = await runCli(['inspect', path.join(dir, 'v.ota')]);
      expect(text.code).toBe(0);
      expect(text.out).toContain(`vendor prefix: ${prefix} bytes before the OTA magic`);
    });
  }

  it('a file with no OTA magic anywhere is still refused with IMG_BAD_MAGIC', () => {
    const info = inspectImage(Uint8Array.from({ length: 300 }, (_, i) => i & 0x7f));
    expect(info.header).toBeUndefined();
    expect(info.notes.join(' ')).toContain('IMG_BAD_MAGIC');
  });
});
