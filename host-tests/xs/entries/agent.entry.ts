/**
 * XS-lane cases for the whole agent: the emulated world (CH, lossy link, flash, bootloader,
 * battery) and the real agent with its verifier run inside XS. The signed image and the
 * trust store come in as hex: signing stays with the tools, on Node.
 */
import { decodeTrustStore } from '../../../device/pki/trust-store.js';
import { fromHex } from '../../../device/util/bytes.js';
import { runUpdateWorld, traceUpdateWorld, type WorldOptions } from '../../harness/update-world.js';
import { serve } from './serve.js';

interface UpdateArgs extends Omit<WorldOptions, 'image' | 'trustStore'> {
  image: string;
  trustStore: string;
}

function options(args: UpdateArgs): WorldOptions {
  return { ...args, image: fromHex(args.image), trustStore: decodeTrustStore(fromHex(args.trustStore)) };
}

serve({
  /** One whole update: the result and the phases it went through. */
  update: (args: UpdateArgs) => {
    const phases: string[] = [];
    const result = runUpdateWorld(options(args), (e) => {
      if (e.kind === 'phase') phases.push(e.phase);
    });
    return { result, phases };
  },

  /** The same, with the reports the supplier sees. */
  updateReports: (args: UpdateArgs) => {
    const r = traceUpdateWorld(options(args), []);
    return { outcome: r.outcome, runningVersion: r.runningVersion, reports: r.reports.filter((x) => x.kind !== 'upgrade-status') };
  },
});
