/** Signed images for the end-to-end tests: the test PKI (tools/pki) and the tools' signer. */
import { createTestPki, deriveKey, signDigestRaw, type TestPki } from '../../tools/pki/index.js';
import { signImage, type ImageSpec, type SignedImage } from '../../tools/image/sign-image.js';
import { Rng } from '../../sim/rng.js';

export const E2E_IDS = { manufacturerCode: 0x1234, imageType: 0x0042, minHardwareVersion: 1, maxHardwareVersion: 4 };
export const FROM_VERSION = 0x00010000;
export const TO_VERSION = 0x00020000;
export const HARDWARE_VERSION = 2;

let cached: TestPki | undefined;
export function pki(): TestPki {
  cached ??= createTestPki();
  return cached;
}

export type SupplierKey = 'supplier1' | 'supplier2' | 'stranger';

/** A signed OTA file: a seeded payload of `payloadBytes`, authorised by the given supplier key. */
export function signedImage(
  payloadBytes: number,
  options: { seed?: number; version?: number; supplier?: SupplierKey; spec?: Partial<ImageSpec> } = {},
): SignedImage {
  const p = pki();
  const supplier = options.supplier ?? 'supplier1';
  const supplierKey =
    supplier === 'stranger'
      ? deriveKey('a supplier this device does not know', 'supplier').privateKey
      : p[supplier].privateKey;
  return signImage(
    {
      ...E2E_IDS,
      fileVersion: options.version ?? TO_VERSION,
      payload: new Rng(options.seed ?? 1).bytes(payloadBytes),
      ...options.spec,
    },
    {
      manufacturer: (d) => signDigestRaw(p.manufacturerSigner.privateKey, d),
      chain: [p.manufacturerSigner.der],
      supplier: (d) => signDigestRaw(supplierKey, d),
    },
  );
}
