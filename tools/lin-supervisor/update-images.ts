/**
 * The signer of a supervised run's updates (lin build or MCU image): one test PKI, each v2
 * build (or RAM payload) signed as the OTA file the CH serves, and the trust store the
 * device is provisioned with: what verifying these images needs, the manufacturer anchor and
 * supplier 1 (the provisioning writes the store as one journal record, at most
 * JOURNAL_MAX_BODY bytes; the test PKI's full store is kept small that way).
 */
import { createTrustStore, type TrustStore } from '../../device/pki/index.js';
import { signImage } from '../image/sign-image.js';
import { signDigestRaw } from '../pki/sign.js';
import { createTestPki } from '../pki/test-pki.js';

export interface UpdateSigner {
  /** The signed OTA file of `payload` (a build, or any bytes), at the update's version. */
  sign(payload: Uint8Array): Uint8Array;
  deviceTrust: TrustStore;
}

export function updateSigner(version: number, description: string): UpdateSigner {
  const pki = createTestPki();
  const sign = (payload: Uint8Array) =>
    signImage(
      {
        manufacturerCode: 0x1234,
        imageType: 0x0042,
        fileVersion: version,
        minHardwareVersion: 1,
        maxHardwareVersion: 4,
        payload,
        description,
      },
      {
        manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
        chain: [pki.manufacturerSigner.der],
        supplier: (d) => signDigestRaw(pki.supplier1.privateKey, d),
      },
    ).file;
  return { sign, deviceTrust: createTrustStore(pki.manufacturerRoot.der, { supplier1: pki.supplier1.der }) };
}
