/** The whole verification: manifest, chain, policy, payload digest, supplier trailer. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { ImageSession } from '../../device/image/image-session.js';
import { DEFAULT_IMAGE_POLICY } from '../../device/image/image-policy.js';
import { concatBytes, toHex } from '../../device/util/bytes.js';
import { createTestPki, signDigestRaw } from '../../tools/pki/index.js';
import { codeOf, outcome } from './refusal.js';
import { DEVICE, options, signed, testPki } from './signed-fixture.js';
import { pattern } from './structural-fixture.js';

/** Streams `file` in `size`-byte chunks into a fresh session; returns what the sink saw and the result. */
function stream(file: Uint8Array, size: number, resumeAt?: number) {
  const writes: Uint8Array[] = [];
  let authenticatedAt = -1;
  let firstWriteAt = -1;
  const s: ImageSession = new ImageSession(
    options({
      sink: {
        write: (o, b) => {
          if (firstWriteAt < 0) firstWriteAt = s.fileOffset;
          writes.push(b.slice());
          expect(o).toBe(writes.slice(0, -1).reduce((n, w) => n + w.length, 0) + (resumeAt ?? 0));
        },
      },
    }),
  );
  let o = 0;
  while (o < file.length) {
    const end = Math.min(file.length, o + size);
    while (o < end) {
      const r = s.push(file.subarray(o, end));
      o += r.consumed;
      if (r.event === 'authenticated') {
        authenticatedAt = r.fileOffset;
        expect(s.manifest?.payloadLength).toBe(1000);
        if (resumeAt !== undefined) {
          // Power cut model: what the bank held is re-fed as stored, then the download goes on.
          s.push(file.subarray(o, o + resumeAt), { stored: true });
          o += resumeAt;
          break;
        }
      }
    }
  }
  return { result: s.finish(), payload: concatBytes(...writes), authenticatedAt, firstWriteAt };
}

describe('ImageSession', () => {
  const img = signed();

  it('accepts a signed image and exposes the Manufacturer Image Hash, supplier cell and prefix', () => {
    const r = outcome(img.file, options());
    expect(r.code).toBeUndefined();
    const v = r.accepted!;
    expect(toHex(v.manufacturerImageHash)).toBe(toHex(sha256(img.manufacturerImage)));
    expect(v.supplierCell).toBe('supplier1');
    expect(v.manifest.fileVersion).toBe(0x00020000);
    expect(v.timeChecked).toBe(false);
    expect(v.payloadLength).toBe(1000);
    expect(toHex(v.prefix)).toBe(toHex(img.file.subarray(0, img.file.length - 66 - 1000)));
    // Before 'authenticated' the session names no manifest: nothing unverified leaks out.
    const early = new ImageSession(options());
    expect(early.push(img.file.subarray(0, v.prefix.length - 1)).event).toBe('more');
    expect(early.manifest).toBeUndefined();
    expect(early.authenticated).toBe(false);
  });

  it('checks certificate validity against a trusted wall time, and only then', () => {
    const inside = outcome(img.file, options({ now: { unixSeconds: Date.UTC(2030, 0, 1) / 1000, trusted: true } }));
    expect(inside.accepted?.timeChecked).toBe(true);
    const after = { unixSeconds: Date.UTC(2060, 0, 1) / 1000 };
    expect(codeOf(img.file, options({ now: { ...after, trusted: true } }))).toBe('IMG_CHAIN');
    expect(outcome(img.file, options({ now: { ...after, trusted: false } })).accepted?.timeChecked).toBe(false);
  });

  it('gives the same result for every chunk size from 1 byte up, and when resumed by re-feeding', () => {
    const whole = stream(img.file, img.file.length);
    expect(whole.payload).toEqual(pattern(1000));
    const prefixLength = whole.result.prefix.length;
    expect(whole.authenticatedAt).toBe(prefixLength);
    for (let size = 1; size <= 100; size++) {
      const r = stream(img.file, size);
      expect(toHex(r.result.manufacturerImageHash)).toBe(toHex(whole.result.manufacturerImageHash));
      expect(r.payload).toEqual(whole.payload);
      expect(r.authenticatedAt).toBe(prefixLength);
      expect(r.firstWriteAt).toBeGreaterThanOrEqual(prefixLength);
    }
    for (const resumeAt of [0, 1, 500, 999, 1000]) {
      const r = stream(img.file, 50, resumeAt);
      expect(toHex(r.result.manufacturerImageHash)).toBe(toHex(whole.result.manufacturerImageHash));
      expect(r.payload).toEqual(whole.payload.subarray(resumeAt));
    }
  });

  it('accepts a trailer by either Supplier cell (split supply), refuses any other signer', () => {
    const pki = testPki();
    const by2 = signed({}, { supplier: (d) => signDigestRaw(pki.supplier2.privateKey, d) });
    expect(outcome(by2.file, options()).accepted?.supplierCell).toBe('supplier2');
    const byManufacturer = signed({}, { supplier: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d) });
    expect(codeOf(byManufacturer.file, options())).toBe('IMG_SUPPLIER_SIGNATURE');
    const onlyCell2 = { ...pki.trustStore, cells: { root: pki.smkiRoot.der, supplier2: pki.supplier2.der } };
    expect(codeOf(img.file, options({ trust: onlyCell2 }))).toBe('IMG_SUPPLIER_SIGNATURE');
    expect(codeOf(by2.file, options({ trust: onlyCell2 }))).toBe('ACCEPTED');
    expect(codeOf(img.file, options({ trust: { ...pki.trustStore, cells: { root: pki.smkiRoot.der } } }))).toBe(
      'IMG_NO_SUPPLIER_ANCHOR',
    );
  });

  it('applies SUPPLIER_SIGNATURE_REQUIRED before any payload byte, and the relaxed policy when asked', () => {
    const bare = signed({}, { supplier: undefined });
    const writes: number[] = [];
    expect(codeOf(bare.file, options({ sink: { write: (o) => writes.push(o) } }))).toBe(
      'IMG_SUPPLIER_SIGNATURE_MISSING',
    );
    expect(writes).toEqual([]);
    const relaxed = outcome(
      bare.file,
      options({ policy: { ...DEFAULT_IMAGE_POLICY, supplierSignatureRequired: false } }),
    );
    expect(relaxed.accepted?.supplierCell).toBeUndefined();
    expect(toHex(relaxed.accepted!.manufacturerImageHash)).toBe(toHex(sha256(bare.file.subarray(60))));
  });

  it('refuses wrong IDs, hardware, versions and a chain to another anchor, before any payload byte', () => {
    const other = createTestPki({ seed: 'another manufacturer' });
    const cases: [string, Uint8Array][] = [
      ['IMG_WRONG_MANUFACTURER', signed({ manufacturerCode: 0x1235 }).file],
      ['IMG_WRONG_IMAGE_TYPE', signed({ imageType: 0x0043 }).file],
      ['IMG_HW_VERSION', signed({ minHardwareVersion: 3, maxHardwareVersion: 9 }).file],
      ['IMG_HW_VERSION', signed({ minHardwareVersion: 0, maxHardwareVersion: 1 }).file],
      ['IMG_DOWNGRADE', signed({ fileVersion: DEVICE.currentVersion }).file],
      ['IMG_DOWNGRADE', signed({ fileVersion: DEVICE.currentVersion - 1 }).file],
      [
        'IMG_CHAIN',
        signed(
          {},
          {
            chain: [other.manufacturerSigner.der],
            manufacturer: (d) => signDigestRaw(other.manufacturerSigner.privateKey, d),
          },
        ).file,
      ],
      [
        'IMG_MANIFEST_SIGNATURE',
        signed({}, { manufacturer: (d) => signDigestRaw(testPki().supplier1.privateKey, d) }).file,
      ],
      ['IMG_TOO_LARGE', signed({ payload: pattern(70 * 1024) }).file],
    ];
    for (const [code, file] of cases) {
      const writes: number[] = [];
      expect(codeOf(file, options({ sink: { write: (o) => writes.push(o) } })), code).toBe(code);
      expect(writes).toEqual([]);
    }
    expect(
      codeOf(
        signed({ fileVersion: DEVICE.currentVersion }).file,
        options({ policy: { ...DEFAULT_IMAGE_POLICY, allowSameVersion: true } }),
      ),
    ).toBe('ACCEPTED');
    expect(codeOf(signed({ fileVersion: 0xffffffff }).file, options())).toBe('ACCEPTED');
  });

  it('trusts a header field only where the signed manifest repeats it', () => {
    const f = img.file.slice();
    f[16] ^= 0x01; // header file version
    expect(codeOf(f, options())).toBe('IMG_HEADER_MISMATCH');
    const hw = img.file.slice();
    hw[58] = 9; // header maximum hardware version
    expect(codeOf(hw, options())).toBe('IMG_HEADER_MISMATCH');
    const noHeaderRange = signed({ headerHardwareVersions: false });
    expect(codeOf(noHeaderRange.file, options())).toBe('ACCEPTED');
  });

  it('accepts the malleated twin (r, n-s) of a supplier signature: high-S is valid, and the authorised bytes are the same', () => {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const f = img.file.slice();
    const sAt = f.length - 32;
    const sValue = BigInt('0x' + toHex(f.subarray(sAt)));
    f.set(Uint8Array.from(Buffer.from((n - sValue).toString(16).padStart(64, '0'), 'hex')), sAt);
    const twin = outcome(f, options()).accepted!;
    expect(twin.supplierCell).toBe('supplier1');
    expect(toHex(twin.manufacturerImageHash)).toBe(toHex(sha256(img.manufacturerImage)));
  });

  it('never throws anything but an OtaError, and a refusal is final', () => {
    const s: ImageSession = new ImageSession(
      options({
        sink: {
          write: () => {
            throw new RangeError('flash on fire');
          },
        },
      }),
    );
    let first: unknown;
    try {
      s.push(img.file);
      s.push(img.file.subarray(s.fileOffset));
    } catch (e) {
      first = e;
    }
    expect(isOtaError(first, 'IMG_SINK')).toBe(true);
    expect(() => s.push(new Uint8Array(1))).toThrow(/IMG_SINK/);
    expect(() => s.finish()).toThrow(/IMG_SINK/);

    // Ports that break their promise and throw still end in typed refusals.
    const throwingP256 = {
      verify: () => {
        throw new TypeError('port bug');
      },
    };
    expect(codeOf(img.file, options({ crypto: { sha256: options().crypto.sha256, p256: throwingP256 } }))).toMatch(
      /^IMG_(CHAIN|MANIFEST_SIGNATURE)$/,
    );
    const throwingSha = {
      create: () => {
        throw new TypeError('no digest engine');
      },
    };
    expect(codeOf(img.file, options({ crypto: { sha256: throwingSha, p256: options().crypto.p256 } }))).toBe(
      'IMG_INTERNAL',
    );
  });
});
