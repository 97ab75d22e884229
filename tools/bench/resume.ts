/**
 * Resume rows: one power cut at a seeded random flash operation of the download (clean or
 * torn), then the reboot: bytes downloaded twice, and device time from power-on to the
 * first block request of the resumed download. The same runs give the restart-from-zero
 * alternative (what a device without a journal would download again: everything before
 * the cut).
 */
import { decodeOtaFrame } from '../../device/zigbee/index.js';
import { type World, Rng, traceUpdateWorld, linkOptions } from '../../sim/index.js';
import { benchImage, SECTOR_SIZE } from './images.js';
import { buildRow, meanAndWorst, type BenchRow } from './rows.js';

const SECTION = 'Resume';
export const RESUME_SEEDS = 20;
export const RESUME_KIB = 128;

export interface ResumeFigures {
  /** Bytes the CH served beyond the file's size, per run. */
  twice: number[];
  /** File offset the device had reached when power was cut, per run. */
  cutOffsets: number[];
  /** Device time from the reboot to the first block request after it, ms, per run. */
  resumeMs: number[];
}

export function resumeRuns(seeds = RESUME_SEEDS, kib = RESUME_KIB): ResumeFigures {
  const image = benchImage(kib);
  const clean = traceUpdateWorld(image.options, []);
  if (clean.opsAtActivate === undefined) throw new Error('the clean run never activated');
  const out: ResumeFigures = { twice: [], cutOffsets: [], resumeMs: [] };
  const rng = new Rng(0xbe4c);
  for (let s = 0; s < seeds; s++) {
    const at = clean.firstOp + Math.floor(rng.next() * (clean.opsAtActivate - clean.firstOp));
    let cutOffset = NaN;
    let rebootAt = NaN;
    let firstBlockAfter = NaN;
    let world: World | undefined;
    const r = traceUpdateWorld(
      {
        ...image.options,
        seed: 100 + s,
        onWorld: (w) => {
          world = w;
          w.link.onFrame = (direction, frame, atMs) => {
            if (direction !== 'up' || Number.isNaN(rebootAt) || !Number.isNaN(firstBlockAfter)) return;
            if (decodeOtaFrame(frame).command.name === 'imageBlockRequest') firstBlockAfter = atMs;
          };
        },
      },
      [{ at, torn: rng.chance(0.5) }],
      (e) => {
        if (e.kind !== 'phase' || e.phase !== 'power-cut' || !Number.isNaN(rebootAt) || !world) return;
        // The dead instance is still the world's current one when the cut is announced.
        rebootAt = world.scheduler.now;
        cutOffset = world.current?.fileOffset() ?? 0;
      },
    );
    if (r.outcome !== 'confirmed') throw new Error(`resume run ${s}: ${r.outcome}`);
    if (r.powerCuts !== 1) continue; // the cut fell where this seed's run had no operation
    out.twice.push(r.bytes - image.file.length);
    out.cutOffsets.push(Number.isNaN(cutOffset) ? 0 : cutOffset);
    out.resumeMs.push(firstBlockAfter - rebootAt);
  }
  return out;
}

export function resumeRows(f: ResumeFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  const twice = meanAndWorst(f.twice);
  for (const [label, figure] of [
    ['mean', twice.mean],
    ['worst', twice.worst],
  ] as const) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Bytes downloaded twice after a cut at a random point of the download, ${label} of ${f.twice.length} runs (${RESUME_KIB} KiB)`,
        figure,
        unit: 'B',
        floor: SECTOR_SIZE,
        floorHow: 'one journal interval (progress is recorded once per sector of payload)',
        target: { on: 'ratio', op: '<=', value: 1 },
        whyNot:
          'a cut that leaves a torn or programmed tail past the record makes resume step back to the start of that sector, and blocks in flight at the cut are asked again: ' +
          'recording progress at a finer interval would meet it, at the cost of journal wear (see Alternatives)',
        ran: 'node',
      }),
    );
  }
  const latency = linkOptions().latencyMs;
  const resume = meanAndWorst(f.resumeMs);
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Device time from the reboot after a cut to the first block request, mean',
      figure: resume.mean,
      unit: 'ms',
      floor: 2 * latency,
      floorHow: `one Query Next Image exchange on the emulated link (2 × ${latency} ms latency); the agent's compute is not in device time`,
      target: { on: 'figure', op: '<=', value: 10_000 },
      whyNot: 'the agent waits before its first query after a boot; a shorter first-query delay would meet it',
      ran: 'node',
      note: `worst ${Math.round(resume.worst).toLocaleString('en')} ms`,
    }),
  );
  return rows;
}
