/**
 * `althan-ota trust build`: a device trust store file from certificate files (PEM or DER),
 * e.g. a supplier's real SMKI certificates from its test environment. Each certificate is
 * checked for its cell by the device's code. Exit 0 written; 1 refused with the PKI_* code;
 * 2 usage error.
 */
import { existsSync } from 'node:fs';
import { isOtaError } from '../../device/errors.js';
import { ANCHOR_CELLS, type AnchorCell } from '../../device/pki/index.js';
import type { WallTime } from '../../device/ports.js';
import { parseCommandArgs, refused, UsageCode, UsageError, type Command } from '../command.js';
import { isoTime, parseRfc3339 } from '../pki/describe.js';
import { readCertificateFile } from '../pki/pem.js';
import { ToolRefusal } from '../refusals.js';
import { buildTrustStore, describeTrustStore, type TrustStoreInput } from '../pki/trust-build.js';
import { saveTrustStoreFile } from '../pki/trust-store-file.js';
import { formatCells } from './trust-show.js';

/** `--at TIME` as the operator's trusted time (as `verify --at` and `cert verify --at` take it). */
export function atFlag(at: string | undefined): WallTime | undefined {
  if (at === undefined) return undefined;
  try {
    return { unixSeconds: parseRfc3339(at), trusted: true };
  } catch (e) {
    throw new UsageError(`--at: ${(e as Error).message}`, UsageCode.badValue, '--at');
  }
}

export const trustBuild: Command = {
  name: ['trust', 'build'],
  summary:
    'build a device trust store file from certificate files, checking each for its cell (role, key usage, validity at --at)',
  usage:
    'althan-ota trust build --out STORE --manufacturer-anchor CERT [--root CERT] [--recovery CERT] [--supplier1 CERT] [--supplier2 CERT] [--at RFC3339-TIME] [--force] [--json]',
  async run(args) {
    const a = parseCommandArgs(
      args,
      {
        out: 'string',
        'manufacturer-anchor': 'string',
        root: 'string',
        recovery: 'string',
        supplier1: 'string',
        supplier2: 'string',
        at: 'string',
        force: 'boolean',
        json: 'boolean',
      },
      { min: 0, max: 0, what: '' },
    );
    const out = a.required('out', 'the trust store file to write');
    const manufacturerFile = a.required('manufacturer-anchor', "the firmware build's manufacturer root");
    const now = atFlag(a.string('at'));
    const json = a.flag('json');
    if (existsSync(out) && !a.flag('force'))
      throw refused(ToolRefusal.outputExists, `${out} exists: use --force to overwrite`);
    // A PEM file may hold a chain: its first certificate is the cell's, as `cert verify` takes the first as the leaf.
    const input: TrustStoreInput = { manufacturerAnchor: readCertificateFile(manufacturerFile)[0], cells: {} };
    for (const cell of ANCHOR_CELLS) {
      const file = a.string(cell);
      if (file) input.cells[cell as AnchorCell] = readCertificateFile(file)[0];
    }
    try {
      const store = buildTrustStore(input, now);
      saveTrustStoreFile(out, store);
      const cells = describeTrustStore(store, now);
      const timeChecked = now !== undefined;
      if (json)
        console.log(
          JSON.stringify({ written: true, out, timeChecked, ...(now ? { at: isoTime(now.unixSeconds) } : {}), cells }),
        );
      else {
        console.log(`trust store written to ${out}`);
        console.log(formatCells(cells));
        console.log(
          timeChecked ? `validity checked at ${isoTime(now.unixSeconds)}` : 'validity NOT checked (no --at time given)',
        );
      }
      return 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json) console.log(JSON.stringify({ written: false, code: e.code, message: e.message }));
      else console.error(`refused: ${e.message}`);
      return 1;
    }
  },
};
