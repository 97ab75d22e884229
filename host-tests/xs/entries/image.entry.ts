/** XS-lane cases for device/image: the full verification of a signed image, inside XS. */
import { nobleP256 } from '../../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../../device/errors.js';
import { ImageSession } from '../../../device/image/image-session.js';
import type { DeviceIdentity } from '../../../device/image/manifest-check.js';
import { decodeTrustStore } from '../../../device/pki/trust-store.js';
import { fromHex, toHex } from '../../../device/util/bytes.js';
import { serve } from './serve.js';

interface VerifyArgs {
  file: string;
  trustStore: string;
  device: DeviceIdentity;
  bankSize: number;
  block: number;
}

serve({
  verifyImage: (args: VerifyArgs) => {
    const file = fromHex(args.file);
    let written = 0;
    let authenticatedAt = -1;
    const session = new ImageSession({
      crypto: { sha256: nobleSha256, p256: nobleP256 },
      trust: decodeTrustStore(fromHex(args.trustStore)),
      device: args.device,
      bankSize: args.bankSize,
      sink: {
        write(offset, bytes) {
          if (offset !== written) throw new Error(`write at ${offset}, expected ${written}`);
          written += bytes.length;
        },
      },
    });
    try {
      // Zigbee-sized blocks, as the OTA client delivers them.
      let o = 0;
      while (o < file.length) {
        const end = Math.min(file.length, o + args.block);
        while (o < end) {
          const r = session.push(file.subarray(o, end));
          if (r.event === 'authenticated') authenticatedAt = r.fileOffset;
          o += r.consumed;
        }
      }
      const v = session.finish();
      return {
        accepted: true,
        manufacturerImageHash: toHex(v.manufacturerImageHash),
        supplierCell: v.supplierCell,
        fileVersion: v.manifest.fileVersion,
        written,
        authenticatedAt,
      };
    } catch (e) {
      return { accepted: false, code: isOtaError(e) ? e.code : `untyped ${String(e)}`, written, authenticatedAt };
    }
  },
});
