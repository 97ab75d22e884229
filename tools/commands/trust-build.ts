/**
 * `althan-ota trust build`: a device trust store file from certificate files (PEM or DER),
 * e.g. a supplier's real SMKI certificates from its test environment. Each certificate is
 * checked for its cell by the device's code. Exit 0 written; 1 refused with the PKI_* code;
 * 2 usage error.
 */
import { existsSync } from 'node:fs';
import { isOtaError } from '../../device/errors.js';
import { ANCHOR_CELLS, type AnchorCell } from '../../device/pki/api.js';
import type { WallTime } from '../../device/ports.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { isoTime, parseRfc3339 } from '../pki/describe.js';
import { readCertificateFile } from '../pki/pem.js';
import { buildTrustStore, describeTrustStore, type TrustStoreInput } from '../pki/trust-build.js';
import { saveTrustStoreFile } from '../pki/trust-store-file.js';
import { formatCells } from './trust-show.js';

/** `--at TIME` as the operator's trusted time (as `verify --at` and `cert verify --at` take it). */
export function atFlag(flags: Map<string, string[]>): WallTime | undefined {
  const at = flags.get('at')?.[0];
  if (at === undefined) return undefined;
  try {
    return { unixSeconds: parseRfc3339(at), trusted: true };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const trustBuild: Command = {
  name: ['trust', 'build'],
  summary: 'build a device trust store file from certificate files, checking each for its cell (role, key usage, validity at --at)',
  usage:
    'althan-ota trust build --out STORE --manufacturer-anchor CERT [--root CERT] [--recovery CERT] [--supplier1 CERT] [--supplier2 CERT] [--at RFC3339-TIME] [--force] [--json]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['json', 'force']);
    if (positional.length !== 0) throw new UsageError(`unexpected argument ${positional[0]}`);
    const out = flags.get('out')?.[0];
    if (!out) throw new UsageError('--out STORE is required');
    const manufacturerFile = flags.get('manufacturer-anchor')?.[0];
    if (!manufacturerFile) throw new UsageError('--manufacturer-anchor CERT is required (the firmware build\'s manufacturer root)');
    if (existsSync(out) && !flags.has('force')) throw new UsageError(`${out} exists: use --force to overwrite`);
    const now = atFlag(flags);
    const json = flags.has('json');
    // A PEM file may hold a chain: its first certificate is the cell's, as `cert verify` takes the first as the leaf.
    const input: TrustStoreInput = { manufacturerAnchor: readCertificateFile(manufacturerFile)[0], cells: {} };
    for (const cell of ANCHOR_CELLS) {
      const file = flags.get(cell)?.[0];
      if (file) input.cells[cell as AnchorCell] = readCertificateFile(file)[0];
    }
    try {
      const store = buildTrustStore(input, now);
      saveTrustStoreFile(out, store);
      const cells = describeTrustStore(store, now);
      const timeChecked = now !== undefined;
      if (json) console.log(JSON.stringify({ written: true, out, timeChecked, ...(now ? { at: isoTime(now.unixSeconds) } : {}), cells }));
      else {
        console.log(`trust store written to ${out}`);
        console.log(formatCells(cells));
        console.log(timeChecked ? `validity checked at ${isoTime(now.unixSeconds)}` : 'validity NOT checked (no --at time given)');
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
