/** `althan-ota inspect FILE [--json]`: what an OTA file holds, signed or not. */
import { readFileSync } from 'node:fs';
import { parseFlags, UsageError, type Command } from '../command.js';
import { formatInspection, inspectImage } from '../image/inspect-image.js';

export const inspect: Command = {
  name: ['inspect'],
  summary: 'show an OTA file: header, sub-elements, manifest, chain, sizes and hashes (unsigned vendor files too)',
  usage: 'althan-ota inspect FILE [--json]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['json']);
    if (positional.length !== 1) throw new UsageError('inspect needs exactly one FILE');
    const report = inspectImage(Uint8Array.from(readFileSync(positional[0])));
    console.log(flags.has('json') ? JSON.stringify(report, null, 2) : formatInspection(report));
    return report.header ? 0 : 1;
  },
};
