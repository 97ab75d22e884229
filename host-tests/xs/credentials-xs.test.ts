/**
 * The XS lane for credential replacement: the device's check of replacement commands and
 * one replacement on the emulated device, then an image from the replaced supplier
 * (refused) and one from the new supplier (confirmed after a reboot that reads the new
 * set back from flash), all inside the real XS engine. Prints XS meter figures.
 */
import { describe, expect, it } from 'vitest';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { toHex } from '../../device/util/bytes.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, TO_VERSION } from '../e2e/e2e-fixture.js';
import {
  command,
  fullStore,
  imageSignedBy,
  organisationCert,
  pki,
  STRANGER,
} from '../credentials/credential-fixture.js';
import { ext } from '../../tools/pki/cert-builder.js';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/credentials.entry.ts');
const SUPPLIER3 = organisationCert('Supplier 3');

describe('credential replacement on XS (xsnap)', () => {
  it('the device check on XS: applied, not authorised, bad signature, bad certificate, no path, malformed', async () => {
    const ka = organisationCert('XS keyAgreement', {
      change: { extensions: (d) => [ext.keyUsage(['keyAgreement']), ...d.slice(1)] },
    });
    const commands = [
      command('supplier1', 'recovery', 3, SUPPLIER3.der),
      command('supplier1', 'supplier2', 3, SUPPLIER3.der),
      command('supplier1', 'recovery', 3, SUPPLIER3.der, { signer: STRANGER }),
      command('supplier1', 'recovery', 3, ka.der),
      command('supplier1', 'recovery', 3, SUPPLIER3.der, { path: [] }),
      Uint8Array.of(0xa1, 0x01),
    ].map(toHex);
    const r = await lane.run<{ code: string; counter?: number }[]>(
      'check',
      { store: toHex(encodeTrustStore(fullStore())), commands },
      'six replacement commands checked',
    );
    expect(r).toEqual([
      { code: 'OK', counter: 3 },
      { code: 'CRED_NOT_AUTHORISED' },
      { code: 'CRED_SIGNATURE' },
      { code: 'CRED_BAD_CERTIFICATE' },
      { code: 'CRED_BAD_PATH' },
      { code: 'CRED_COMMAND_MALFORMED' },
    ]);
  });

  it('one replacement on the emulated device inside XS: the old supplier refused, the new one confirmed, the set read back after the reboot', async () => {
    const r = await lane.run<{
      answer: number;
      refused: boolean;
      confirmed: boolean;
      boots: number;
      readout: { counter: number; cells: { cell: string; keyId?: string }[] };
      reports: unknown[];
    }>(
      'replace',
      {
        store: toHex(encodeTrustStore(fullStore())),
        command: toHex(command('supplier1', 'recovery', 11, SUPPLIER3.der)),
        oldSupplierImage: toHex(imageSignedBy(pki().supplier1.privateKey).file),
        newSupplierImage: toHex(imageSignedBy(SUPPLIER3.key.privateKey, { version: TO_VERSION + 1 }).file),
        newVersion: TO_VERSION + 1,
        ids: {
          manufacturerCode: E2E_IDS.manufacturerCode,
          imageType: E2E_IDS.imageType,
          hardwareVersion: HARDWARE_VERSION,
          currentVersion: FROM_VERSION,
        },
        seed: 5,
      },
      'replacement, refused image, confirmed image',
    );
    expect(r).toMatchObject({ answer: 0, refused: true, confirmed: true, boots: 2 });
    expect(r.readout.counter).toBe(11);
    expect(r.readout.cells.find((c) => c.cell === 'supplier1')?.keyId).toBe(toHex(SUPPLIER3.keyId));
    expect(r.reports).toEqual([
      { kind: 'firmware-version', version: FROM_VERSION },
      {
        kind: 'credential-update',
        cell: 'supplier1',
        authority: 'recovery',
        responseCode: 0,
        errorCode: 'OK',
        counter: 11,
      },
      { kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_SUPPLIER_SIGNATURE' },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
      { kind: 'activation', success: true, version: TO_VERSION + 1 },
      { kind: 'firmware-version', version: TO_VERSION + 1 },
    ]);
  });
});
