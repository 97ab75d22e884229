/**
 * The manifest checks on their own (device/image/manifest-check.ts): each header field the
 * manifest repeats, the device's identity and hardware range at their edges, the version
 * policy's three answers, and the manufacturer chain and signature, each refusal with its
 * IMG_* code and a message naming what differs.
 */
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { OtaError } from '../../device/errors.js';
import { encodeChain } from '../../device/image/chain-codec.js';
import { devicePki, type ImagePki } from '../../device/image/image-pki.js';
import type { ImagePolicy } from '../../device/image/image-policy.js';
import type { Manifest } from '../../device/image/manifest.js';
import {
  checkHeaderAgainstManifest,
  checkManifest,
  checkManifestForDevice,
  checkManufacturerSignature,
  sha256Of,
  type DeviceIdentity,
  type ManifestCheckContext,
  type ManifestEvidence,
} from '../../device/image/manifest-check.js';
import type { OtaHeader } from '../../device/image/ota-header.js';
import type { PkiCrypto } from '../../device/pki/api.js';
import { createTestPki, signDigestRaw } from '../../tools/pki/index.js';
import { refusal } from '../util/refusal.js';

const manifest: Manifest = {
  formatVersion: 1,
  manufacturerCode: 0x1234,
  imageType: 0x42,
  fileVersion: 0x20000,
  minHardwareVersion: 2,
  maxHardwareVersion: 4,
  payloadLength: 10,
  payloadSha256: new Uint8Array(32),
};
const header: OtaHeader = {
  headerVersion: 0x100,
  headerLength: 64,
  fieldControl: 4,
  manufacturerCode: 0x1234,
  imageType: 0x42,
  fileVersion: 0x20000,
  stackVersion: 2,
  headerString: new Uint8Array(32),
  totalImageSize: 100,
  minHardwareVersion: 2,
  maxHardwareVersion: 4,
};
const device: DeviceIdentity = {
  manufacturerCode: 0x1234,
  imageType: 0x42,
  hardwareVersion: 3,
  currentVersion: 0x10000,
};
const strict: ImagePolicy = { supplierSignatureRequired: true, allowSameVersion: false, allowDowngrade: false };

describe('checkHeaderAgainstManifest', () => {
  it('accepts a header that repeats the manifest, with or without the hardware range', () => {
    expect(() => checkHeaderAgainstManifest(header, manifest)).not.toThrow();
    expect(() =>
      checkHeaderAgainstManifest({ ...header, minHardwareVersion: undefined, maxHardwareVersion: undefined }, manifest),
    ).not.toThrow();
  });

  const cases: [string, Partial<OtaHeader>, string][] = [
    [
      'manufacturer code',
      { manufacturerCode: 0x1235 },
      "header manufacturer code 0x1235 differs from the signed manifest's 0x1234",
    ],
    ['image type', { imageType: 0x43 }, "header image type 0x43 differs from the signed manifest's 0x42"],
    [
      'file version',
      { fileVersion: 0x20001 },
      "header file version 0x20001 differs from the signed manifest's 0x20000",
    ],
    [
      'minimum hardware version',
      { minHardwareVersion: 1 },
      "header minimum hardware version 0x1 differs from the signed manifest's 0x2",
    ],
    [
      'maximum hardware version',
      { maxHardwareVersion: 5 },
      "header maximum hardware version 0x5 differs from the signed manifest's 0x4",
    ],
    [
      'maximum hardware version, absent beside a minimum',
      { maxHardwareVersion: undefined },
      "header maximum hardware version 0x-1 differs from the signed manifest's 0x4",
    ],
  ];
  for (const [what, change, message] of cases) {
    it(`a different ${what} is IMG_HEADER_MISMATCH naming the field`, () => {
      const e = refusal(() => checkHeaderAgainstManifest({ ...header, ...change }, manifest));
      expect(e.message).toBe(`${e.code}: ${message}`);
      expect(e.code).toMatch(/^IMG_/);
    });
  }

  it('an absent maximum never matches a manifest whose maximum is 1', () => {
    expect(() =>
      checkHeaderAgainstManifest(
        { ...header, minHardwareVersion: 1, maxHardwareVersion: undefined },
        { ...manifest, minHardwareVersion: 1, maxHardwareVersion: 1 },
      ),
    ).toThrow(OtaError);
  });
});

describe('checkManifestForDevice', () => {
  it('refuses another manufacturer or image type, naming both values', () => {
    const m = refusal(() => checkManifestForDevice({ ...manifest, manufacturerCode: 0x9999 }, device, strict));
    expect(m.message).toBe(`${m.code}: image for manufacturer 0x9999, device is 0x1234`);
    const t = refusal(() => checkManifestForDevice({ ...manifest, imageType: 0x7 }, device, strict));
    expect(t.message).toBe(`${t.code}: image type 0x7, device takes 0x42`);
    expect(m.code).not.toBe(t.code);
  });

  it('the hardware range includes both ends and nothing outside', () => {
    for (const hw of [2, 3, 4])
      expect(() => checkManifestForDevice(manifest, { ...device, hardwareVersion: hw }, strict)).not.toThrow();
    for (const hw of [1, 5]) {
      const e = refusal(() => checkManifestForDevice(manifest, { ...device, hardwareVersion: hw }, strict));
      expect(e.message).toBe(`${e.code}: hardware version ${hw} outside 2..4`);
    }
  });

  it('versions: newer always; the same only when allowed; older only when downgrades are allowed', () => {
    const at = (current: number, policy: ImagePolicy) => () =>
      checkManifestForDevice(manifest, { ...device, currentVersion: current }, policy);
    expect(at(0x1ffff, strict)).not.toThrow();
    const same = refusal(at(0x20000, strict));
    expect(same.message).toBe(`${same.code}: file version 0x20000 is not newer than the running 0x20000`);
    expect(at(0x20000, { ...strict, allowSameVersion: true })).not.toThrow();
    expect(at(0x20000, { ...strict, allowDowngrade: true })).toThrow(OtaError);
    expect(at(0x20001, strict)).toThrow(OtaError);
    expect(at(0x20001, { ...strict, allowSameVersion: true })).toThrow(OtaError);
    expect(at(0x20001, { ...strict, allowDowngrade: true })).not.toThrow();
    // Unsigned 32-bit comparison: 0xFFFFFFFF is the newest version there is.
    expect(() =>
      checkManifestForDevice(
        { ...manifest, fileVersion: 0xffffffff },
        { ...device, currentVersion: 0x7fffffff },
        strict,
      ),
    ).not.toThrow();
  });
});

describe('checkManufacturerSignature and checkManifest', () => {
  const pki = createTestPki();
  const crypto: PkiCrypto = { sha256: nobleSha256, p256: nobleP256 };
  const manifestBytes = new Uint8Array([0xa1, 0x01, 0x01]);
  const ctx: ManifestCheckContext = { device, trust: pki.trustStore, crypto, pki: devicePki, policy: strict };
  const evidence: ManifestEvidence = {
    header,
    manifest,
    manifestBytes,
    signature: signDigestRaw(pki.manufacturerSigner.privateKey, sha256Of(ctx, manifestBytes)),
    chainBytes: encodeChain([pki.manufacturerSigner.der]),
    hasTrailer: true,
  };

  it('a chain to the manufacturer anchor and a signature over the manifest pass', () => {
    expect(checkManifest(evidence, ctx).leafPublicKey).toEqual(pki.manufacturerSigner.publicKey);
  });

  it('a signature over other bytes is IMG_MANIFEST_SIGNATURE', () => {
    const e = refusal(() => checkManufacturerSignature({ ...evidence, manifestBytes: new Uint8Array([0xa0]) }, ctx));
    expect(e.message).toBe(`${e.code}: manufacturer signature over the manifest does not verify`);
  });

  it('a refused chain carries the PKI refusal in its message; an untyped throw counts as PKI_INTERNAL', () => {
    const typed = refusal(() =>
      checkManufacturerSignature({ ...evidence, chainBytes: encodeChain([pki.supplier1.der]) }, ctx),
    );
    expect(typed.message).toMatch(new RegExp(`^${typed.code}: manufacturer chain refused \\(PKI_[A-Z_]+: .+\\)$`));
    const broken: ImagePki = {
      verifyChain: () => {
        throw new Error('parser fault');
      },
      cellKey: devicePki.cellKey,
    };
    const untyped = refusal(() => checkManufacturerSignature(evidence, { ...ctx, pki: broken }));
    expect(untyped.code).toBe(typed.code);
    expect(untyped.message).toBe(`${untyped.code}: manufacturer chain refused (PKI_INTERNAL: parser fault)`);
  });

  it('without a GBCS trailer, when the policy requires one, is IMG_SUPPLIER_SIGNATURE_MISSING before any signature work', () => {
    const e = refusal(() => checkManifest({ ...evidence, hasTrailer: false, signature: new Uint8Array(64) }, ctx));
    expect(e.message).toBe('IMG_SUPPLIER_SIGNATURE_MISSING: no GBCS trailer: a supplier signature is required');
    expect(
      checkManifest(
        { ...evidence, hasTrailer: false },
        { ...ctx, policy: { ...strict, supplierSignatureRequired: false } },
      ).anchorIndex,
    ).toBe(0);
  });
});
