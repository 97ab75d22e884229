/**
 * XS-lane cases for the whole agent: the emulated world (CH, lossy link, flash, bootloader,
 * battery) and the real agent with its verifier run inside XS. The signed image and the
 * trust store come in as hex: signing stays with the tools, on Node.
 */
import { decodeTrustStore } from '../../../device/pki/trust-store.js';
import { fromHex } from '../../../device/util/bytes.js';
import { World } from '../../../sim/world.js';
import type { WornSectorMode } from '../../../sim/faulty-ports.js';
import { Hostile } from '../../../sim/hostile-server.js';
import { servedImage } from '../../../sim/ota-server.js';
import { runUpdateWorld, traceUpdateWorld, type WorldOptions } from '../../../sim/update-world.js';
import { serve } from './serve.js';

interface RetryArgs {
  image: string;
  trustStore: string;
  ids: { manufacturerCode: number; imageType: number; hardwareVersion: number; currentVersion: number };
  seed: number;
  /** Worn sector of the inactive bank (index within the bank's payload sectors). */
  worn?: { bankSector: number; mode: WornSectorMode };
  /** A foreign image served once under the genuine image's identity, from this file offset on. */
  mixUp?: { foreign: string; fromOffset: number };
}

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

  /** Bounded retries: a worn sector, or a server mix-up; runs until an alert (worn) or a confirmation (mix-up). */
  retries: (args: RetryArgs) => {
    const config = {
      seed: args.seed,
      trust: decodeTrustStore(fromHex(args.trustStore)),
      ...args.ids,
      bankSize: 64 * 1024,
      server: { upgradeTime: 0 },
    };
    const probe = new World(config);
    const faults = args.worn
      ? { wornSector: { sector: probe.layout.banks[1].firstSector + args.worn.bankSector, mode: args.worn.mode } }
      : undefined;
    const w = new World({ ...config, faults });
    w.ch.images.push(servedImage(fromHex(args.image)));
    if (args.mixUp)
      w.ch.behaviour = Hostile.mixedUpFiles(servedImage(fromHex(args.mixUp.foreign)), args.mixUp.fromOffset, 1);
    const done = args.worn
      ? () => w.reportsOf('verification').some((r) => r.alertCode === 0x8f1c)
      : () => w.bootRecord()?.confirmed.version !== args.ids.currentVersion && w.current?.agent.ctx.state === 'idle';
    const ended = w.run(done, 3_000_000);
    return {
      ended,
      wornSectorErases: w.wornSectorErases,
      boots: w.boots,
      misuse: w.media.misuse.length,
      reports: w.reports.map((r) => r.report).filter((r) => r.kind !== 'upgrade-status'),
    };
  },

  /** The same, with the reports the supplier sees. */
  updateReports: (args: UpdateArgs) => {
    const r = traceUpdateWorld(options(args), []);
    return {
      outcome: r.outcome,
      runningVersion: r.runningVersion,
      reports: r.reports.filter((x) => x.kind !== 'upgrade-status'),
    };
  },
});
