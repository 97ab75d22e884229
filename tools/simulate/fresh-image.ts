/**
 * A fresh test PKI and an image signed for the emulated device: what `simulate` (and so
 * `npm start`) serves when no image is given.
 */
import type { TrustStore } from '../../device/pki/index.js';
import { signImage } from '../image/sign-image.js';
import { signDigestRaw } from '../pki/sign.js';
import { createTestPki } from '../pki/test-pki.js';

/** The emulated device's identity (the image must name it). */
export const SIMULATED_DEVICE = {
  manufacturerCode: 0x1234,
  imageType: 0x0042,
  currentVersion: 0x01000000,
  hardwareVersion: 2,
};

export function freshSignedImage(
  payload: Uint8Array,
  fileVersion: number,
  supplier: 1 | 2 = 1,
): { file: Uint8Array; trustStore: TrustStore; manufacturerImageHash: Uint8Array } {
  const pki = createTestPki();
  const supplierCert = supplier === 1 ? pki.supplier1 : pki.supplier2;
  const signed = signImage(
    {
      manufacturerCode: SIMULATED_DEVICE.manufacturerCode,
      imageType: SIMULATED_DEVICE.imageType,
      fileVersion,
      minHardwareVersion: 1,
      maxHardwareVersion: 4,
      payload,
      description: 'althan-ota emulated update',
    },
    {
      manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
      chain: [pki.manufacturerSigner.der],
      supplier: (d) => signDigestRaw(supplierCert.privateKey, d),
    },
  );
  return { file: signed.file, trustStore: pki.trustStore, manufacturerImageHash: signed.manufacturerImageHash };
}
