/**
 * `althan-ota gbcs verify FILE --trust STORE`: the GBCS supplier signature alone, on any
 * GBCS Upgrade Image whatever its Manufacturer Image holds (device/image
 * verifySupplierOnly): the trailer at T − 66 must verify over the Manufacturer Image with
 * a Supplier cell of the store, each cell checked for its role (and validity at --at).
 * It says nothing about the Manufacturer Image itself: that is the manufacturer's to check.
 * Exit 0 verified; 1 refused with its code (IMG_*, PKI_*); 2 usage error.
 */
import { nobleP256, nobleSha256 } from '../../device/crypto/index.js';
import { isOtaError } from '../../device/errors.js';
import { verifySupplierOnly } from '../../device/image/index.js';
import { toHex } from '../../device/util/index.js';
import { parseCommandArgs, type Command } from '../command.js';
import { readInput } from '../io/read-input.js';
import { isoTime } from '../pki/describe.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';
import { atFlag } from './trust-build.js';

export const gbcsVerify: Command = {
  name: ['gbcs', 'verify'],
  summary:
    'check the GBCS supplier signature alone (any Manufacturer Image layout) against the Supplier cells of a trust store',
  usage: 'althan-ota gbcs verify FILE --trust STORE [--at RFC3339-TIME] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      { trust: 'string', at: 'string', json: 'boolean' },
      { min: 1, max: 1, what: 'FILE' },
    );
    const trustFile = a.required('trust', 'a device trust store file, e.g. from `trust build`');
    const now = atFlag(a.string('at'));
    const json = a.flag('json');
    const file = readInput(a.positionals[0], 'OTA file');
    try {
      const r = verifySupplierOnly(file, loadTrustStoreFile(trustFile), { sha256: nobleSha256, p256: nobleP256 }, now);
      const mi = r.layout.manufacturerImage;
      const summary = {
        verified: true,
        supplierCell: r.supplierCell,
        manufacturerImage: { offset: mi.offset, length: mi.length },
        manufacturerImageHash: toHex(r.manufacturerImageHash),
        trailerOffset: r.layout.trailerOffset,
        timeChecked: now !== undefined,
        ...(now ? { at: isoTime(now.unixSeconds) } : {}),
      };
      if (json) console.log(JSON.stringify(summary));
      else {
        console.log(`supplier signature verifies with cell ${r.supplierCell}`);
        console.log(
          `Manufacturer Image: offset ${mi.offset}, ${mi.length} bytes; trailer at ${r.layout.trailerOffset} (T-66)`,
        );
        console.log(`Manufacturer Image Hash ${summary.manufacturerImageHash}`);
        console.log(
          `certificate validity: ${now ? `checked at ${summary.at}` : 'not checked (no trusted time: give --at)'}`,
        );
      }
      return 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json) console.log(JSON.stringify({ verified: false, code: e.code, message: e.message }));
      else console.error(`refused: ${e.message}`);
      return 1;
    }
  },
};
