/**
 * `althan-ota verify FILE --trust STORE`: the device's own verification (device/image
 * ImageSession) of a whole file. Exit 0 accepted; 1 refused, with the IMG_* code.
 */
import { nobleP256, nobleSha256 } from '../../device/crypto/index.js';
import { isOtaError } from '../../device/errors.js';
import { verifyImage, type ImageSessionOptions, parseOtaHeader } from '../../device/image/index.js';
import { toHex } from '../../device/util/index.js';
import { parseCommandArgs, UsageCode, UsageError, type Command } from '../command.js';
import { readInput } from '../io/read-input.js';
import { isoTime, parseRfc3339 } from '../pki/describe.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';

export const verify: Command = {
  name: ['verify'],
  summary: 'verify an OTA file as the device would (manifest, chain, policy, payload digest, supplier trailer)',
  usage:
    'althan-ota verify FILE --trust STORE [--current-version V] [--hardware-version H] [--manufacturer-code N] [--image-type N] [--bank-size BYTES] [--at RFC3339-TIME] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      {
        trust: 'string',
        'current-version': 'string',
        'hardware-version': 'string',
        'manufacturer-code': 'string',
        'image-type': 'string',
        'bank-size': 'string',
        at: 'string',
        json: 'boolean',
      },
      { min: 1, max: 1, what: 'FILE' },
    );
    const trustFile = a.required('trust', 'a device trust store file, e.g. from `pki init`');
    const json = a.flag('json');
    const at = a.string('at');
    let now: ImageSessionOptions['now'];
    try {
      // The operator vouches for a time given on the command line: it counts as trusted.
      if (at !== undefined) now = { unixSeconds: parseRfc3339(at), trusted: true };
    } catch (e) {
      throw new UsageError(`--at: ${(e as Error).message}`, UsageCode.badValue, '--at');
    }
    // Every value is checked before any file is read: a usage error is the same whatever the files hold.
    a.int('current-version', { max: 0xffffffff, fallback: 0 });
    for (const name of ['hardware-version', 'manufacturer-code', 'image-type'] as const)
      a.int(name, { max: 0xffff, fallback: 0 });
    const bankSize = a.int('bank-size', { min: 1, max: 0xffffffff, fallback: 16 * 1024 * 1024 });
    const file = readInput(a.positionals[0], 'OTA file');
    const trust = loadTrustStoreFile(trustFile);
    // The device's identity defaults to what the file's header claims: a vendor checking
    // its own file; an integrator passes the real device's values.
    let header: ReturnType<typeof parseOtaHeader> | undefined;
    try {
      header = parseOtaHeader(file);
    } catch {
      header = undefined;
    }
    const assumed: string[] = [];
    const pick = (
      name: 'current-version' | 'hardware-version' | 'manufacturer-code' | 'image-type',
      max: number,
      fromHeader: number | undefined,
    ) => {
      if (!a.has(name)) assumed.push(name);
      return a.int(name, { max, fallback: fromHeader ?? 0 });
    };
    const options: ImageSessionOptions = {
      crypto: { sha256: nobleSha256, p256: nobleP256 },
      trust,
      device: {
        manufacturerCode: pick('manufacturer-code', 0xffff, header?.manufacturerCode),
        imageType: pick('image-type', 0xffff, header?.imageType),
        hardwareVersion: pick('hardware-version', 0xffff, header?.minHardwareVersion),
        currentVersion: pick('current-version', 0xffffffff, 0),
      },
      bankSize,
      now,
    };
    try {
      const v = verifyImage(file, options);
      const summary = {
        accepted: true,
        manufacturerCode: v.manifest.manufacturerCode,
        imageType: v.manifest.imageType,
        fileVersion: v.manifest.fileVersion,
        hardwareVersions: [v.manifest.minHardwareVersion, v.manifest.maxHardwareVersion],
        payloadLength: v.payloadLength,
        payloadSha256: toHex(v.manifest.payloadSha256),
        manufacturerImageHash: toHex(v.manufacturerImageHash),
        supplierCell: v.supplierCell ?? null,
        timeChecked: v.timeChecked,
        ...(now ? { at: isoTime(now.unixSeconds) } : {}),
        assumedFromHeader: assumed,
      };
      if (json) console.log(JSON.stringify(summary));
      else {
        console.log(
          `accepted: file version 0x${v.manifest.fileVersion.toString(16)}, payload ${v.payloadLength} bytes`,
        );
        console.log(`Manufacturer Image Hash ${summary.manufacturerImageHash}`);
        console.log(
          `supplier signature: ${v.supplierCell ? `verifies with cell ${v.supplierCell}` : 'none (policy allows)'}`,
        );
        console.log(`certificate validity: ${v.timeChecked ? 'checked' : 'not checked (no trusted time: give --at)'}`);
        if (assumed.length) console.log(`device values taken as defaults: ${assumed.join(', ')}`);
      }
      return 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json)
        console.log(JSON.stringify({ accepted: false, code: e.code, message: e.message, assumedFromHeader: assumed }));
      else {
        console.error(`refused: ${e.message}`);
        if (assumed.length) console.error(`device values taken as defaults: ${assumed.join(', ')}`);
      }
      return 1;
    }
  },
};
