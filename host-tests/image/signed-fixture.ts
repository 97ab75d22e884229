/** Signed images over the test PKI (tools/pki), and session options for the emulated device. */
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { DeviceIdentity } from '../../device/image/manifest-check.js';
import type { ImageSessionOptions } from '../../device/image/image-session.js';
import { createTestPki, signDigestRaw, type TestPki } from '../../tools/pki/index.js';
import { signImage, type ImageKeys, type ImageSpec, type SignedImage } from '../../tools/image/sign-image.js';
import { IDS, pattern } from './structural-fixture.js';

let cached: TestPki | undefined;
export function testPki(): TestPki {
  cached ??= createTestPki();
  return cached;
}

export const DEVICE: DeviceIdentity = {
  manufacturerCode: IDS.manufacturerCode,
  imageType: IDS.imageType,
  hardwareVersion: 2,
  currentVersion: 0x00010000,
};

export const BANK_SIZE = 64 * 1024;

export function spec(overrides: Partial<ImageSpec> = {}): ImageSpec {
  return { ...IDS, payload: pattern(1000), ...overrides };
}

export function keys(overrides: Partial<ImageKeys> = {}): ImageKeys {
  const pki = testPki();
  return {
    manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
    chain: [pki.manufacturerSigner.der],
    supplier: (d) => signDigestRaw(pki.supplier1.privateKey, d),
    ...overrides,
  };
}

export function signed(specOverrides: Partial<ImageSpec> = {}, keyOverrides: Partial<ImageKeys> = {}): SignedImage {
  return signImage(spec(specOverrides), keys(keyOverrides));
}

export function options(overrides: Partial<ImageSessionOptions> = {}): ImageSessionOptions {
  return {
    crypto: { sha256: nobleSha256, p256: nobleP256 },
    trust: testPki().trustStore,
    device: DEVICE,
    bankSize: BANK_SIZE,
    ...overrides,
  };
}
