/**
 * `althan-ota cert verify`: certification path validation alone, with the device's own
 * verifyChain. Exit 0 when valid, 1 with the PKI_* code when not, 2 on a usage error.
 */
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { CertProfile, ChainOptions } from '../../device/pki/api.js';
import { parseCertificate } from '../../device/pki/x509.js';
import { isOtaError } from '../../device/errors.js';
import { toHex } from '../../device/util/bytes.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { isoTime, nameToString, parseRfc3339 } from '../pki/describe.js';
import { buildAndVerify } from '../pki/order-chain.js';
import { readCertificateFile } from '../pki/pem.js';

export const certVerify: Command = {
  name: ['cert', 'verify'],
  summary: 'validate a certificate path (SMKI or RFC 5280 profile) with the device\'s validator',
  usage: 'althan-ota cert verify LEAF --anchor A [--anchor A2 ...] [--intermediate I ...] [--at RFC3339-TIME] [--profile smki|rfc5280] [--json]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['json']);
    if (positional.length !== 1) throw new UsageError('cert verify needs exactly one LEAF file');
    const anchorFiles = flags.get('anchor') ?? [];
    if (anchorFiles.length === 0) throw new UsageError('at least one --anchor is needed');
    const profile = (flags.get('profile')?.[0] ?? 'smki') as CertProfile;
    if (profile !== 'smki' && profile !== 'rfc5280') throw new UsageError(`unknown profile ${profile}`);
    const at = flags.get('at')?.[0];
    let atSeconds: number | undefined;
    try {
      atSeconds = at === undefined ? undefined : parseRfc3339(at);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const json = flags.has('json');

    const leafFile = readCertificateFile(positional[0]);
    const intermediates = [...leafFile.slice(1), ...(flags.get('intermediate') ?? []).flatMap((f) => readCertificateFile(f))];
    const anchors = anchorFiles.flatMap((f) => readCertificateFile(f));
    const options: ChainOptions = { profile, crypto: { sha256: nobleSha256, p256: nobleP256 } };
    // The operator vouches for a time given on the command line: it counts as trusted.
    if (atSeconds !== undefined) options.now = { unixSeconds: atSeconds, trusted: true };
    try {
      const { chain, result: r } = buildAndVerify(leafFile[0], intermediates, anchors, options);
      const subjects = chain.map((der) => nameToString(parseCertificate(der).subject));
      const anchorSubject = nameToString(parseCertificate(anchors[r.anchorIndex]).subject);
      if (json) {
        console.log(
          JSON.stringify({
            valid: true,
            profile,
            path: subjects,
            anchor: anchorSubject,
            timeChecked: r.timeChecked,
            ...(atSeconds !== undefined ? { at: isoTime(atSeconds) } : {}),
            leafPublicKey: toHex(r.leafPublicKey),
            ...(r.leafRole !== undefined ? { leafRole: r.leafRole.toString(16).padStart(2, '0') } : {}),
            ...(r.leafEntityId ? { leafEntityId: toHex(r.leafEntityId) } : {}),
          }),
        );
      } else {
        console.log(`valid (${profile})`);
        subjects.forEach((s, i) => console.log(`  ${i === 0 ? 'leaf' : `ca ${i}`}: ${s}`));
        console.log(`  anchor: ${anchorSubject}`);
        if (r.leafRole !== undefined) console.log(`  leaf role ${r.leafRole.toString(16).padStart(2, '0')}, entity id ${toHex(r.leafEntityId!)}`);
        console.log(r.timeChecked ? `  validity checked at ${isoTime(atSeconds!)}` : '  validity NOT checked (no --at time given)');
      }
      return 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json) console.log(JSON.stringify({ valid: false, profile, code: e.code, message: e.message }));
      else console.error(`invalid: ${e.message}`);
      return 1;
    }
  },
};
