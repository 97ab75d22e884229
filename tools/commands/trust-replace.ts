/**
 * `althan-ota trust replace`: a signed credential replacement command (docs/PKI.md
 * "Replacing a cell") from PEM or DER files, e.g. openssl-made keys and certificates. The
 * new certificate is the first in --cert; the rest of that file and the --chain files,
 * in order, are its certification path (self-signed certificates are left out: the Root
 * is never carried). With --store the device's own check runs against that trust store
 * first (validity at --at), and a command the device would refuse is not written.
 * Exit 0 written; 1 refused (CRED_* code, the CS02b answer in --json); 2 usage error;
 * 3 a file that cannot be read.
 */
import { existsSync } from 'node:fs';
import { isOtaError } from '../../device/errors.js';
import { ANCHOR_CELLS, type AnchorCell } from '../../device/pki/index.js';
import { checkCredentialCommand } from '../../device/pki/index.js';
import { cs02bCode } from '../../device/pki/index.js';
import { parseCertificate } from '../../device/pki/index.js';
import { equalBytes, fromHex, toHex } from '../../device/util/index.js';
import { nobleP256 } from '../../device/crypto/index.js';
import { nobleSha256 } from '../../device/crypto/index.js';
import { parseCommandArgs, refused, UsageCode, UsageError, type Command } from '../command.js';
import { writeFilesAllOrNone } from '../io/write-files.js';
import { signCredentialCommand } from '../pki/credential-command.js';
import { isoTime } from '../pki/describe.js';
import { readPrivateKeyFile } from '../pki/keys.js';
import { readCertificateFile } from '../pki/pem.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';
import { ToolRefusal } from '../refusals.js';
import { atFlag } from './trust-build.js';

function cellFlag(value: string | undefined, flag: string): AnchorCell {
  if (value === undefined)
    throw new UsageError(`${flag} is required (${ANCHOR_CELLS.join(', ')})`, UsageCode.required, flag);
  if (!(ANCHOR_CELLS as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${ANCHOR_CELLS.join(', ')}`, UsageCode.badValue, flag);
  return value as AnchorCell;
}

function selfSigned(der: Uint8Array): boolean {
  try {
    const c = parseCertificate(der);
    return equalBytes(c.subject.der, c.issuer.der);
  } catch {
    return false; // the device's check says what is wrong with it
  }
}

export const trustReplace: Command = {
  name: ['trust', 'replace'],
  summary:
    'write a signed credential replacement command (CS02b-like) for one cell; with --store, checked by the device code first',
  usage:
    'althan-ota trust replace --cell CELL --authority CELL --key KEY --cert CERT [--chain CERT]... --counter N [--target EUI64] --out FILE ' +
    '[--store STORE [--at RFC3339-TIME]] [--force] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      {
        cell: 'string',
        authority: 'string',
        key: 'string',
        cert: 'string',
        chain: 'strings',
        counter: 'string',
        target: 'string',
        out: 'string',
        store: 'string',
        at: 'string',
        force: 'boolean',
        json: 'boolean',
      },
      { min: 0, max: 0, what: '' },
    );
    const cell = cellFlag(a.string('cell'), '--cell');
    const authority = cellFlag(a.string('authority'), '--authority');
    const keyFile = a.required('key', "the authority's private key (PEM or DER, SEC1 or PKCS#8)");
    const certFile = a.required('cert', 'the new certificate (its chain may follow it in the file)');
    const out = a.required('out', 'the command file to write');
    if (!a.has('counter'))
      throw new UsageError(
        '--counter is required (above the counter in force; Unix seconds suit issuers that do not coordinate)',
        UsageCode.required,
        '--counter',
      );
    const counter = a.int('counter', { min: 1, max: Number.MAX_SAFE_INTEGER });
    const targetText = a.string('target');
    if (targetText !== undefined && !/^[0-9a-fA-F]{16}$/.test(targetText))
      throw new UsageError('--target is an EUI-64: 16 hex digits', UsageCode.badValue, '--target');
    const now = atFlag(a.string('at'));
    if (now && !a.has('store'))
      throw new UsageError('--at goes with --store (the time of the device check)', UsageCode.badValue, '--at');
    const json = a.flag('json');
    if (existsSync(out) && !a.flag('force'))
      throw refused(ToolRefusal.outputExists, `${out} exists: use --force to overwrite`);

    const key = readPrivateKeyFile(keyFile);
    const [certificate, ...rest] = readCertificateFile(certFile);
    const path = [...rest, ...a.list('chain').flatMap((f) => readCertificateFile(f))].filter((der) => !selfSigned(der));
    const storeFile = a.string('store');
    const store = storeFile ? loadTrustStoreFile(storeFile) : undefined;
    try {
      const body = {
        cell,
        authority,
        counter,
        certificate,
        path,
        ...(targetText ? { target: fromHex(targetText) } : {}),
      };
      const command = signCredentialCommand(body, key);
      if (store) checkCredentialCommand(command, { store, crypto: { sha256: nobleSha256, p256: nobleP256 }, now });
      writeFilesAllOrNone([{ path: out, content: command }]);
      const summary = {
        written: true,
        out,
        bytes: command.length,
        cell,
        authority,
        counter,
        pathCertificates: path.length,
        ...(targetText ? { target: targetText.toLowerCase() } : {}),
        checked: store !== undefined,
        ...(store ? { answer: 0, timeChecked: now !== undefined } : {}),
        ...(now ? { at: isoTime(now.unixSeconds) } : {}),
      };
      if (json) console.log(JSON.stringify(summary));
      else {
        console.log(
          `replacement command written to ${out} (${command.length} bytes): cell ${cell} by ${authority}, counter ${counter}, ${path.length} path certificate(s)`,
        );
        console.log(`  new certificate key id ${toHex(parseKeyId(certificate))}`);
        console.log(
          store
            ? `  the device check against ${storeFile} answers 0${now ? ` (validity checked at ${isoTime(now.unixSeconds)})` : ' (validity NOT checked: no --at)'}`
            : '  not checked against a trust store (no --store)',
        );
      }
      return 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json)
        console.log(JSON.stringify({ written: false, code: e.code, answer: cs02bCode(e.code), message: e.message }));
      else console.error(`refused: ${e.message} (CS02b answer ${cs02bCode(e.code)})`);
      return 1;
    }
  },
};

function parseKeyId(der: Uint8Array): Uint8Array {
  try {
    return parseCertificate(der).subjectKeyId ?? new Uint8Array();
  } catch {
    return new Uint8Array();
  }
}
