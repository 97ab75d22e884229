/** `althan-ota inspect FILE [--json]`: what an OTA file holds, signed or not. */
import { parseCommandArgs, type Command } from '../command.js';
import { formatInspection, inspectImage } from '../image/inspect-image.js';
import { readInput } from '../io/read-input.js';

export const inspect: Command = {
  name: ['inspect'],
  summary: 'show an OTA file: header, sub-elements, manifest, chain, sizes and hashes (unsigned vendor files too)',
  usage: 'althan-ota inspect FILE [--json]',
  async run(args) {
    const a = parseCommandArgs(args, { json: 'boolean' }, { min: 1, max: 1, what: 'FILE' });
    const report = inspectImage(readInput(a.positionals[0], 'OTA file'));
    // Without a header nothing else can be read: exit 1 with the header's refusal code.
    const code = report.header
      ? undefined
      : (/\b([A-Z]+_[A-Z0-9_]+):/.exec(report.notes[0] ?? '')?.[1] ?? 'IMG_BAD_MAGIC');
    if (a.flag('json')) console.log(JSON.stringify(code ? { ...report, code } : report, null, 2));
    else {
      console.log(formatInspection(report));
      if (code) console.error(`refused: ${code}: the OTA header cannot be read`);
    }
    return code ? 1 : 0;
  },
};
