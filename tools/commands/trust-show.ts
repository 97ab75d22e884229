/**
 * `althan-ota trust show STORE`: what a trust store file holds, cell by cell, with the
 * device's verdict on each (checkCell, validity at --at). Exit 0 when every certificate
 * passes its cell's check; 1 with the first refusal's code (or the decoder's); 2 usage error.
 */
import { isOtaError } from '../../device/errors.js';
import { parseCommandArgs, type Command } from '../command.js';
import { isoTime } from '../pki/describe.js';
import { describeTrustStore, type CellDescription } from '../pki/trust-build.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';
import { atFlag } from './trust-build.js';

/** The cells as lines for people. */
export function formatCells(cells: CellDescription[]): string {
  return cells
    .map((c) => {
      const id = [
        c.role !== undefined ? `role ${c.role}` : '',
        c.entityId ? `entity ${c.entityId}` : '',
        c.keyId ? `key id ${c.keyId}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const verdict = c.check === 'ok' ? 'ok' : `REFUSED ${c.message ?? c.check}`;
      return `  ${c.cell.padEnd(13)} ${c.subject}\n  ${''.padEnd(13)} ${id}${id ? '; ' : ''}valid ${c.notBefore} .. ${c.notAfter}; ${verdict}`;
    })
    .join('\n');
}

export const trustShow: Command = {
  name: ['trust', 'show'],
  summary: 'show a device trust store file cell by cell, each checked for its cell (validity at --at)',
  usage: 'althan-ota trust show STORE [--at RFC3339-TIME] [--json]',
  async run(args) {
    const a = parseCommandArgs(args, { at: 'string', json: 'boolean' }, { min: 1, max: 1, what: 'STORE' });
    const positional = a.positionals;
    const now = atFlag(a.string('at'));
    const json = a.flag('json');
    try {
      const store = loadTrustStoreFile(positional[0]);
      const cells = describeTrustStore(store, now);
      // The counter of the last credential replacement applied to this set (0: none).
      const counter = store.counter ?? 0;
      const refused = cells.find((c) => c.check !== 'ok');
      const timeChecked = now !== undefined;
      if (json) {
        console.log(
          JSON.stringify({
            valid: !refused,
            ...(refused ? { code: refused.check } : {}),
            timeChecked,
            ...(now ? { at: isoTime(now.unixSeconds) } : {}),
            counter,
            cells,
          }),
        );
      } else {
        console.log(`trust store ${positional[0]}:`);
        console.log(formatCells(cells));
        console.log(`credential counter ${counter}${counter ? '' : ' (no replacement applied)'}`);
        console.log(
          timeChecked ? `validity checked at ${isoTime(now.unixSeconds)}` : 'validity NOT checked (no --at time given)',
        );
      }
      return refused ? 1 : 0;
    } catch (e) {
      if (!isOtaError(e)) throw e;
      if (json) console.log(JSON.stringify({ valid: false, code: e.code, message: e.message }));
      else console.error(`refused: ${e.message}`);
      return 1;
    }
  },
};
