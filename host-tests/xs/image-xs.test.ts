/**
 * The XS lane for device/image: a signed image is verified inside the real XS engine
 * (header, manifest, manufacturer signature and chain, payload digest, supplier trailer)
 * with the same answer as on Node; tampered images are refused there. Prints XS meters.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../device/util/bytes.js';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { outcome } from '../image/refusal.js';
import { DEVICE, options, signed, testPki } from '../image/signed-fixture.js';
import { pattern } from '../image/structural-fixture.js';
import { xsLane } from './xs-lane.js';

interface XsVerdict {
  accepted: boolean;
  code?: string;
  manufacturerImageHash?: string;
  supplierCell?: string;
  fileVersion?: number;
  written: number;
  authenticatedAt: number;
}

const lane = xsLane('host-tests/xs/entries/image.entry.ts', 'image ');
const PAYLOAD = 4096;
const BANK = 64 * 1024;

async function verifyInXs(name: string, file: Uint8Array): Promise<XsVerdict> {
  const args = {
    file: toHex(file),
    trustStore: toHex(encodeTrustStore(testPki().trustStore)),
    device: DEVICE,
    bankSize: BANK,
    block: 63,
  };
  return lane.run<XsVerdict>('verifyImage', args, name);
}

describe('device/image inside XS (xsnap)', () => {
  const img = signed({ payload: pattern(PAYLOAD, 3) });

  it('verifies a signed image completely, with the same Manufacturer Image Hash as on Node', async () => {
    const node = outcome(img.file, options()).accepted!;
    const v = await verifyInXs(`accept-${PAYLOAD}B-payload`, img.file);
    expect(v).toMatchObject({ accepted: true, supplierCell: 'supplier1', fileVersion: 0x00020000, written: PAYLOAD });
    expect(v.manufacturerImageHash).toBe(toHex(node.manufacturerImageHash));
    expect(v.authenticatedAt).toBe(node.prefix.length);
    // Four times the payload: the difference is the per-byte cost (two SHA-256 passes).
    const bigger = signed({ payload: pattern(4 * PAYLOAD, 3) });
    const w = await verifyInXs(`accept-${4 * PAYLOAD}B-payload`, bigger.file);
    expect(w).toMatchObject({ accepted: true, written: 4 * PAYLOAD });
    expect(w.manufacturerImageHash).toBe(toHex(outcome(bigger.file, options()).accepted!.manufacturerImageHash));
  });

  it('refuses tampered images inside XS with the same codes as on Node, the bank untouched where the manifest fails', async () => {
    const payloadByte = img.file.slice();
    payloadByte[img.file.length - 100] ^= 1;
    const p = await verifyInXs('tampered-payload', payloadByte);
    expect(p).toMatchObject({ accepted: false, code: 'IMG_PAYLOAD_DIGEST' });

    const manifestByte = img.file.slice();
    manifestByte[img.file.length - 66 - PAYLOAD - 6 - 10] ^= 1; // inside the chain's certificate signature
    const c = await verifyInXs('tampered-chain', manifestByte);
    expect(c.accepted).toBe(false);
    expect(c.code).toBe('IMG_CHAIN');
    expect(outcome(manifestByte, options()).code).toBe('IMG_CHAIN');
    expect(c.written).toBe(0);

    const trailer = img.file.slice();
    trailer[img.file.length - 1] ^= 1;
    expect(await verifyInXs('tampered-trailer', trailer)).toMatchObject({
      accepted: false,
      code: 'IMG_SUPPLIER_SIGNATURE',
    });

    const old = signed({ fileVersion: DEVICE.currentVersion, payload: pattern(PAYLOAD, 3) });
    expect(await verifyInXs('downgrade', old.file)).toMatchObject({
      accepted: false,
      code: 'IMG_DOWNGRADE',
      written: 0,
    });
  });
});
