/**
 * `althan-ota verify FILE --trust STORE`: the device's own verification (device/image
 * ImageSession) of a whole file. Exit 0 accepted; 1 refused, with the IMG_* code.
 */
import { readFileSync } from 'node:fs';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../device/errors.js';
import { verifyImage, type ImageSessionOptions } from '../../device/image/image-session.js';
import { parseOtaHeader } from '../../device/image/ota-header.js';
import { toHex } from '../../device/util/bytes.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { numberFlag } from '../image/number-flag.js';
import { isoTime, parseRfc3339 } from '../pki/describe.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';

export const verify: Command = {
  name: ['verify'],
  summary: 'verify an OTA file as the device would (manifest, chain, policy, payload digest, supplier trailer)',
  usage:
    'althan-ota verify FILE --trust STORE [--current-version V] [--hardware-version H] [--manufacturer-code N] [--image-type N] [--bank-size BYTES] [--at RFC3339-TIME] [--json]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['json']);
    if (positional.length !== 1) throw new UsageError('verify needs exactly one FILE');
    const trustFile = flags.get('trust')?.[0];
    if (!trustFile) throw new UsageError('--trust STORE is required (a device trust store file, e.g. from `pki init`)');
    const json = flags.has('json');
    const file = Uint8Array.from(readFileSync(positional[0]));
    // The device's identity defaults to what the file's header claims: a vendor checking
    // its own file; an integrator passes the real device's values.
    let header: ReturnType<typeof parseOtaHeader> | undefined;
    try {
      header = parseOtaHeader(file);
    } catch {
      header = undefined;
    }
    const assumed: string[] = [];
    const pick = (name: string, max: number, fromHeader: number | undefined): number => {
      if (!flags.has(name)) assumed.push(name);
      return numberFlag(flags, name, max, fromHeader ?? 0);
    };
    const at = flags.get('at')?.[0];
    let now: ImageSessionOptions['now'];
    try {
      // The operator vouches for a time given on the command line: it counts as trusted.
      if (at !== undefined) now = { unixSeconds: parseRfc3339(at), trusted: true };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const options: ImageSessionOptions = {
      crypto: { sha256: nobleSha256, p256: nobleP256 },
      trust: loadTrustStoreFile(trustFile),
      device: {
        manufacturerCode: pick('manufacturer-code', 0xffff, header?.manufacturerCode),
        imageType: pick('image-type', 0xffff, header?.imageType),
        hardwareVersion: pick('hardware-version', 0xffff, header?.minHardwareVersion),
        currentVersion: pick('current-version', 0xffffffff, 0),
      },
      bankSize: numberFlag(flags, 'bank-size', 0xffffffff, 16 * 1024 * 1024),
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
        console.log(`accepted: file version 0x${v.manifest.fileVersion.toString(16)}, payload ${v.payloadLength} bytes`);
        console.log(`Manufacturer Image Hash ${summary.manufacturerImageHash}`);
        console.log(`supplier signature: ${v.supplierCell ? `verifies with cell ${v.supplierCell}` : 'none (policy allows)'}`);
        console.log(`certificate validity: ${v.timeChecked ? 'checked' : 'not checked (no trusted time: give --at)'}`);
        if (assumed.length) console.log(`device values taken as defaults: ${assumed.join(', ')}`);
      }
      return 0;
    } catch (e) {
      const code = isOtaError(e) ? e.code : 'IMG_INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      if (json) console.log(JSON.stringify({ accepted: false, code, message, assumedFromHeader: assumed }));
      else {
        console.error(`refused: ${message}`);
        if (assumed.length) console.error(`device values taken as defaults: ${assumed.join(', ')}`);
      }
      return 1;
    }
  },
};
