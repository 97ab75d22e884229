/**
 * `althan-ota cert verify`: certification path validation alone, with the device's own
 * verifyChain. Exit 0 when valid, 1 with the PKI_* code when not (tools/command.ts has the rest).
 */
import { nobleP256, nobleSha256 } from '../../device/crypto/index.js';
import { type CertProfile, type ChainOptions, parseCertificate } from '../../device/pki/index.js';
import { isOtaError } from '../../device/errors.js';
import { toHex } from '../../device/util/index.js';
import { CliError, parseCommandArgs, UsageCode, UsageError, type Command } from '../command.js';
import { IoError } from '../io/io-errors.js';
import { isoTime, nameToString, parseRfc3339 } from '../pki/describe.js';
import { buildAndVerify } from '../pki/order-chain.js';
import { readCertificateFile } from '../pki/pem.js';

export const certVerify: Command = {
  name: ['cert', 'verify'],
  summary: "validate a certificate path (SMKI or RFC 5280 profile) with the device's validator",
  usage:
    'althan-ota cert verify LEAF --anchor A [--anchor A2 ...] [--intermediate I ...] [--at RFC3339-TIME] [--profile smki|rfc5280] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      { anchor: 'strings', intermediate: 'strings', at: 'string', profile: 'string', json: 'boolean' },
      { min: 1, max: 1, what: 'LEAF' },
    );
    const anchorFiles = a.list('anchor');
    if (anchorFiles.length === 0)
      throw new UsageError('--anchor is required (at least one trust anchor)', UsageCode.required, '--anchor');
    const profile: CertProfile = a.choice('profile', ['smki', 'rfc5280'] as const, 'smki');
    const at = a.string('at');
    let atSeconds: number | undefined;
    try {
      atSeconds = at === undefined ? undefined : parseRfc3339(at);
    } catch (e) {
      throw new UsageError(`--at: ${(e as Error).message}`, UsageCode.badValue, '--at');
    }
    const json = a.flag('json');

    const leafFile = readCertificateFile(a.positionals[0]);
    // Candidates, not requirements: a candidate file whose bytes are no certificate is left
    // out of path building, as docs/PKI.md says of unused intermediates (a missing or
    // unreadable file is still exit 3). The leaf and the anchors must all be certificates.
    const ignored: string[] = [];
    const candidates = (file: string): Uint8Array[] => {
      try {
        return readCertificateFile(file);
      } catch (e) {
        if (e instanceof CliError && e.code === IoError.certificate) {
          ignored.push(file);
          return [];
        }
        throw e;
      }
    };
    const intermediates = [...leafFile.slice(1), ...a.list('intermediate').flatMap(candidates)];
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
            ...(ignored.length ? { ignored } : {}),
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
        for (const file of ignored) console.log(`  ignored ${file}: not a certificate`);
        for (const [i, s] of subjects.entries()) console.log(`  ${i === 0 ? 'leaf' : `ca ${i}`}: ${s}`);
        console.log(`  anchor: ${anchorSubject}`);
        if (r.leafRole !== undefined)
          console.log(`  leaf role ${r.leafRole.toString(16).padStart(2, '0')}, entity id ${toHex(r.leafEntityId!)}`);
        console.log(
          r.timeChecked
            ? `  validity checked at ${isoTime(atSeconds!)}`
            : '  validity NOT checked (no --at time given)',
        );
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
