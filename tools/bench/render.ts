/** docs/BENCHMARKS.md and docs/benchmarks.json from the rows of one run. */
import { formatNumber, formatRatio, formatTarget, type BenchRow } from './rows.js';

export interface RunInfo {
  date: string;
  machine: { nproc: number; cpu: string; node: string; platform: string; loadAverage: number };
  command: string;
  seconds: number;
  /** Sections with no rows in this run, and why (e.g. the Moddable rows without $MODDABLE). */
  absent: { section: string; why: string }[];
  /** Prose sections that explain rows (with this run's figures), after the tables. */
  notes?: { title: string; lines: string[] }[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderMarkdown(info: RunInfo, rows: readonly BenchRow[]): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    `Made by \`${info.command}\` (tools/bench/run.ts), which rewrites this page and docs/benchmarks.json.`,
    '',
    `- date: ${info.date}`,
    `- machine: ${info.machine.nproc} × ${info.machine.cpu}, ${info.machine.platform}, Node ${info.machine.node}; load average ${info.machine.loadAverage.toFixed(1)} when the run ended (a shared machine)`,
    `- the whole bench took ${Math.round(info.seconds)} s of wall time on this machine`,
    '',
    'Every row puts a figure next to its floor — the least it could be, measured or derived in the same run —',
    'with the ratio, the target and whether it is met. Counts (requests, erases, bytes) come from the emulated',
    "device and CH (sim/), seeded, so they repeat exactly. XS figures are the engine's own",
    '`compute` meter (the `xsnap-worker` that `@agoric/xsnap` builds): repeatable, machine-independent. XS heap',
    "figures are read between blocks after a full collection: live slots (the meter's `currentHeapCount`) and live",
    'bytes (the size of an XS snapshot: every live slot and chunk). The one',
    'wall-time row (Host) is the best of three on a shared machine: quote its ratio, not its milliseconds.',
    'No test asserts any of these figures; host-tests/bench/ checks only the row arithmetic.',
    '',
  ];
  const sections: string[] = [];
  for (const r of rows) if (!sections.includes(r.section)) sections.push(r.section);
  for (const s of sections) {
    out.push(
      `## ${s}`,
      '',
      '| what | figure | floor (how derived) | ratio | target | met | ran | note |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of rows.filter((x) => x.section === s)) {
      out.push(
        `| ${cell(r.what)} | ${formatNumber(r.figure)} ${r.unit} | ${formatNumber(r.floor)}: ${cell(r.floorHow)} | ${formatRatio(r.ratio)} | ${formatTarget(r.target, r.unit)} | ${r.met ? 'yes' : '**no**'} | ${r.ran} | ${cell(r.note ?? '')} |`,
      );
    }
    out.push('');
  }
  for (const n of info.notes ?? []) out.push(`## ${n.title}`, '', ...n.lines, '');
  for (const a of info.absent) out.push(`## ${a.section}`, '', a.why, '');
  const missed = rows.filter((r) => !r.met);
  out.push('## Targets not met', '');
  if (missed.length === 0) out.push('None in this run.');
  for (const r of missed)
    out.push(
      `- **${r.section}: ${r.what.trim()}** (${formatRatio(r.ratio)}, target ${formatTarget(r.target, r.unit)}): ${r.whyNot || 'no reason recorded'}.`,
    );
  out.push('');
  return out.join('\n');
}

export function renderJson(info: RunInfo, rows: readonly BenchRow[]): string {
  return `${JSON.stringify({ ...info, rows }, null, 2)}\n`;
}
