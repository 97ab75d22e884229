/** Reporter port over the lin link: each report is one `report` message, ASCII JSON. Throws when the link is down. */
import type { Reporter } from '../../ports.js';
import type { LinLink } from './link.js';
import { LinMessage, ascii } from './link-protocol.js';

export function linReporter(link: LinLink): Reporter {
  return {
    report: (r) => link.send(LinMessage.report, ascii(JSON.stringify(r))),
  };
}
