/**
 * One test per RFC 9124 threat that the image format and its verifier answer, named
 * after the threat. docs/SECURITY.md lists all 18, with the ones other parts answer.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Tag } from '../../device/image/image-format.js';
import { ImageSession } from '../../device/image/image-session.js';
import { replaceCell } from '../../device/pki/trust-store.js';
import { encodeCbor, decodeCbor, type CborMap } from '../../device/util/cbor.js';
import { concatBytes, toHex } from '../../device/util/bytes.js';
import { createTestPki, signDigestRaw } from '../../tools/pki/index.js';
import { encodeChain } from '../../device/image/chain-codec.js';
import { assembleOtaFile, encodeElement, encodeTrailer } from '../../tools/image/ota-writer.js';
import { headerFieldsOf } from '../../tools/image/sign-image.js';
import { codeOf, outcome } from './refusal.js';
import { DEVICE, options, signed, spec, testPki } from './signed-fixture.js';
import { pattern } from './structural-fixture.js';

/** Streams `file` and records every payload write; returns the refusal code or 'ACCEPTED'. */
function writesOf(file: Uint8Array, opts = options()): { code: string; writes: [number, number][] } {
  const writes: [number, number][] = [];
  const s = new ImageSession({ ...opts, sink: { write: (o, b) => writes.push([o, b.length]) } });
  try {
    let o = 0;
    while (o < file.length) o += s.push(file.subarray(o, Math.min(file.length, o + 37))).consumed;
    s.finish();
    return { code: 'ACCEPTED', writes };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? 'UNTYPED', writes };
  }
}

/** A manifest re-encoded with `change` applied, signed by the real manufacturer key (a signer's mistake or a future format). */
function resignedManifest(change: (m: CborMap) => void): Uint8Array {
  const base = signed();
  const m = decodeCbor(base.manifest) as CborMap;
  change(m);
  const manifest = encodeCbor(m);
  const pki = testPki();
  const els = [
    { tag: Tag.manifest, data: manifest },
    { tag: Tag.manufacturerSignature, data: signDigestRaw(pki.manufacturerSigner.privateKey, sha256(manifest)) },
    { tag: Tag.certificateChain, data: encodeChain([pki.manufacturerSigner.der]) },
    { tag: Tag.payload, data: spec().payload },
  ];
  const mi = concatBytes(...els.map(encodeElement));
  return assembleOtaFile(
    headerFieldsOf(spec()),
    els,
    encodeTrailer(signDigestRaw(pki.supplier1.privateKey, sha256(mi))),
  );
}

describe('RFC 9124 threats', () => {
  it('IMG.EXPIRED: a validly signed image of the running or an older version is refused (replay)', () => {
    expect(codeOf(signed({ fileVersion: DEVICE.currentVersion }).file, options())).toBe('IMG_DOWNGRADE');
    expect(codeOf(signed({ fileVersion: DEVICE.currentVersion - 1 }).file, options())).toBe('IMG_DOWNGRADE');
    expect(codeOf(signed({ fileVersion: 0 }).file, options())).toBe('IMG_DOWNGRADE');
    expect(codeOf(signed({ fileVersion: DEVICE.currentVersion + 1 }).file, options())).toBe('ACCEPTED');
  });

  it('IMG.EXPIRED.OFFLINE: with no trusted clock an old image is still refused (versions, not time)', () => {
    const old = signed({ fileVersion: DEVICE.currentVersion - 0x100 }).file;
    expect(codeOf(old, options({ now: undefined }))).toBe('IMG_DOWNGRADE');
    expect(codeOf(old, options({ now: { unixSeconds: 0, trusted: false } }))).toBe('IMG_DOWNGRADE');
  });

  it('IMG.INCOMPATIBLE: a valid image for another manufacturer, image type or hardware is refused before the bank is written', () => {
    for (const [over, code] of [
      [{ manufacturerCode: 0x4321 }, 'IMG_WRONG_MANUFACTURER'],
      [{ imageType: 0x0043 }, 'IMG_WRONG_IMAGE_TYPE'],
      [{ imageType: 0xffc0 }, 'IMG_WRONG_IMAGE_TYPE'],
      [{ minHardwareVersion: 5, maxHardwareVersion: 7 }, 'IMG_HW_VERSION'],
    ] as const) {
      const r = writesOf(signed(over).file);
      expect(r.code).toBe(code);
      expect(r.writes).toEqual([]);
    }
  });

  it('IMG.FORMAT: a manifest in a format this device does not read (format version, unknown critical key) is refused before any payload byte', () => {
    const v2 = writesOf(resignedManifest((m) => m.set(1, 2)));
    expect(v2).toEqual({ code: 'IMG_MANIFEST_VERSION', writes: [] });
    const compressed = writesOf(resignedManifest((m) => m.set(12, 'lz4')));
    expect(compressed).toEqual({ code: 'IMG_MANIFEST_CRITICAL', writes: [] });
    // An informational key is what may be ignored: the same image with key -3 is accepted.
    expect(writesOf(resignedManifest((m) => m.set(-3, 'lz4'))).code).toBe('ACCEPTED');
  });

  it('IMG.LOCATION: the payload goes to bank offsets 0..length-1, in order, whatever the file layout and chunking', () => {
    const img = signed({ payload: pattern(3000) });
    const r = writesOf(img.file);
    expect(r.code).toBe('ACCEPTED');
    let next = 0;
    for (const [o, n] of r.writes) {
      expect(o).toBe(next);
      next += n;
    }
    expect(next).toBe(3000);
    const big = writesOf(signed({ payload: pattern(64 * 1024 + 1) }).file);
    expect(big).toEqual({ code: 'IMG_TOO_LARGE', writes: [] });
  });

  it('NET.REDIRECT: whoever serves the file, only the manufacturer chain and a Supplier cell make it acceptable', () => {
    const rogue = createTestPki({ seed: 'rogue server' });
    const own = signed(
      {},
      {
        manufacturer: (d) => signDigestRaw(rogue.manufacturerSigner.privateKey, d),
        chain: [rogue.manufacturerSigner.der],
        supplier: (d) => signDigestRaw(rogue.supplier1.privateKey, d),
      },
    );
    expect(writesOf(own.file)).toEqual({ code: 'IMG_CHAIN', writes: [] });
  });

  it('NET.ONPATH: a byte changed in transit anywhere in the signed image is refused', () => {
    const img = signed();
    const f = img.file;
    for (const at of [70, 140, 300, f.length - 600, f.length - 67, f.length - 1]) {
      const t = f.slice();
      t[at] ^= 0x04;
      expect(codeOf(t, options()), `byte ${at}`).not.toBe('ACCEPTED');
    }
  });

  it('IMG.REPLACE: verifying the stored image again (metadata prefix + bank + trailer) finds a bank byte changed after verification', () => {
    const img = signed();
    const first = outcome(img.file, options()).accepted!;
    const bank = spec().payload.slice();
    const trailer = first.trailer!;
    expect(toHex(trailer)).toBe(toHex(img.file.subarray(img.file.length - 66)));
    const reverify = (bankBytes: Uint8Array) => {
      const s = new ImageSession(options());
      expect(s.push(first.prefix).event).toBe('authenticated');
      s.push(bankBytes, { stored: true });
      s.push(trailer);
      return s.finish();
    };
    expect(toHex(reverify(bank).manufacturerImageHash)).toBe(toHex(first.manufacturerImageHash));
    bank[500] ^= 1;
    expect(() => reverify(bank)).toThrow(/IMG_PAYLOAD_DIGEST/);
  });

  it('IMG.NON_AUTH: images without a manifest signature are refused (IMG_UNSIGNED), and so are ones signed outside the chain', () => {
    const unsigned = assembleOtaFile(headerFieldsOf(spec()), [{ tag: Tag.payload, data: spec().payload }]);
    expect(writesOf(unsigned)).toEqual({ code: 'IMG_UNSIGNED', writes: [] });
    const zigbeeSigned = assembleOtaFile(headerFieldsOf(spec()), [
      { tag: 0x0001, data: new Uint8Array(50) },
      { tag: Tag.payload, data: spec().payload },
    ]);
    expect(writesOf(zigbeeSigned).code).toBe('IMG_UNSIGNED');
    const selfSigned = signed({}, { manufacturer: (d) => signDigestRaw(testPki().manufacturerRoot.privateKey, d) });
    expect(writesOf(selfSigned.file)).toEqual({ code: 'IMG_MANIFEST_SIGNATURE', writes: [] });
  });

  it('UPD.WRONG_PRECURSOR: a manifest announcing a delta against a precursor (a critical key this device lacks) is refused', () => {
    const delta = resignedManifest((m) => m.set(10, new Uint8Array(32)));
    expect(writesOf(delta)).toEqual({ code: 'IMG_MANIFEST_CRITICAL', writes: [] });
  });

  it("UPD.UNAPPROVED: without a supplier's authorisation (no trailer, or one by a non-Supplier key) nothing is installed", () => {
    const none = writesOf(signed({}, { supplier: undefined }).file);
    expect(none).toEqual({ code: 'IMG_SUPPLIER_SIGNATURE_MISSING', writes: [] });
    const byManufacturer = signed({}, { supplier: (d) => signDigestRaw(testPki().manufacturerSigner.privateKey, d) });
    expect(codeOf(byManufacturer.file, options())).toBe('IMG_SUPPLIER_SIGNATURE');
    const byRoot = signed({}, { supplier: (d) => signDigestRaw(testPki().smkiRoot.privateKey, d) });
    expect(codeOf(byRoot.file, options())).toBe('IMG_SUPPLIER_SIGNATURE');
  });

  it('MFST.OVERRIDE: unsigned header fields cannot override the signed manifest', () => {
    const img = signed();
    const h = img.file.slice();
    h[56] = 0; // header minimum hardware version 1 -> 0: would widen the range if the header counted
    expect(codeOf(h, options())).toBe('IMG_HEADER_MISMATCH');
    const v = img.file.slice();
    v[17] = 0x7f; // header file version raised
    expect(codeOf(v, options())).toBe('IMG_HEADER_MISMATCH');
  });

  it('IMG.EXTRA: bytes beyond the signed image are refused, whether or not the header counts them', () => {
    const img = signed();
    expect(codeOf(concatBytes(img.file, Uint8Array.of(0)), options())).toBe('IMG_TRAILING_BYTES');
    const counted = concatBytes(img.file, new Uint8Array(10));
    counted.set([counted.length & 0xff, (counted.length >> 8) & 0xff, (counted.length >> 16) & 0xff, 0], 52);
    expect(codeOf(counted, options())).toBe('IMG_LAYOUT');
    const extraElement = assembleOtaFile(headerFieldsOf(spec()), [
      { tag: Tag.manifest, data: img.manifest },
      { tag: Tag.manufacturerSignature, data: img.manifestSignature },
      { tag: Tag.certificateChain, data: encodeChain([testPki().manufacturerSigner.der]) },
      { tag: Tag.payload, data: spec().payload },
      { tag: 0x0003, data: new Uint8Array(16) },
    ]);
    expect(codeOf(extraElement, options())).toBe('IMG_LAYOUT');
  });

  it('KEY.EXPOSURE: once a Supplier cell is replaced, images signed with the exposed key are refused', () => {
    const img = signed();
    expect(codeOf(img.file, options())).toBe('ACCEPTED');
    const fresh = createTestPki({ seed: 'supplier key rotated' });
    const rotated = replaceCell(testPki().trustStore, 'supplier1', fresh.supplier1.der);
    expect(codeOf(img.file, options({ trust: rotated }))).toBe('IMG_SUPPLIER_SIGNATURE');
    const resigned = signed({}, { supplier: (d) => signDigestRaw(fresh.supplier1.privateKey, d) });
    expect(codeOf(resigned.file, options({ trust: rotated }))).toBe('ACCEPTED');
  });

  it('MFST.MODIFICATION: any change to the signed manifest breaks the manufacturer signature', () => {
    const img = signed();
    // Header kept consistent so only the signature can tell: version raised in both.
    const m = decodeCbor(img.manifest) as CborMap;
    m.set(4, 0x00090000);
    const manifest = encodeCbor(m);
    const header = { ...headerFieldsOf(spec()), fileVersion: 0x00090000 };
    const forged = assembleOtaFile(
      header,
      [
        { tag: Tag.manifest, data: manifest },
        { tag: Tag.manufacturerSignature, data: img.manifestSignature },
        { tag: Tag.certificateChain, data: encodeChain([testPki().manufacturerSigner.der]) },
        { tag: Tag.payload, data: spec().payload },
      ],
      img.file.subarray(img.file.length - 66),
    );
    expect(writesOf(forged)).toEqual({ code: 'IMG_MANIFEST_SIGNATURE', writes: [] });
  });

  it("MFST.TOCTOU: changing the caller's buffers after a push does not change what was verified", () => {
    const img = signed();
    const buffer = img.file.slice();
    const s = new ImageSession(options());
    const r = s.push(buffer);
    expect(r.event).toBe('authenticated');
    // The caller (or a DMA engine) reuses its buffer: the manifest already approved must not follow.
    buffer.fill(0, 0, r.consumed);
    s.push(buffer.subarray(r.consumed));
    const v = s.finish();
    expect(v.manifest.fileVersion).toBe(spec().fileVersion);
    expect(toHex(v.manufacturerImageHash)).toBe(toHex(img.manufacturerImageHash));
    expect(toHex(v.prefix)).toBe(toHex(img.file.subarray(0, r.consumed)));
  });
});
