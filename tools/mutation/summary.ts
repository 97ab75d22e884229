/**
 * The mutation-testing summary: per-file scores from a StrykerJS JSON report (the
 * mutation-testing-report-schema that `npm run mutate` writes to
 * reports/mutation/mutation.json), merged into docs/mutation.json so that a run over one
 * file updates that file's row and keeps the others, and rendered as the "Mutation
 * testing" section that `npm run bench` appends to docs/BENCHMARKS.md.
 *
 * Score as Stryker counts it: (killed + timeout) / (killed + timeout + survived + no coverage);
 * compile and runtime errors and ignored mutants are left out of both.
 */

/** The part of a Stryker JSON report this reads. */
export interface StrykerReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface FileScore {
  file: string;
  /** When this file was last mutated (ISO date of the run that gave this row). */
  date: string;
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Compile or runtime errors, and ignored mutants: in neither side of the score. */
  other: number;
  /** Percent, or null when no mutant counts. */
  score: number | null;
}

export interface MutationSummary {
  command: string;
  files: FileScore[];
}

const _DETECTED = ['Killed', 'Timeout'];

export function scoreOf(killed: number, timeout: number, survived: number, noCoverage: number): number | null {
  const valid = killed + timeout + survived + noCoverage;
  return valid === 0 ? null : (100 * (killed + timeout)) / valid;
}

/** One row per mutated file of `report`, dated `date`; paths relative to `root` with forward slashes. */
export function fileScores(report: StrykerReport, date: string, root: string): FileScore[] {
  const rows: FileScore[] = [];
  for (const [path, f] of Object.entries(report.files)) {
    const n = (s: string) => f.mutants.filter((m) => m.status === s).length;
    const killed = n('Killed');
    const timeout = n('Timeout');
    const survived = n('Survived');
    const noCoverage = n('NoCoverage');
    const other = f.mutants.length - killed - timeout - survived - noCoverage;
    const rel = path.startsWith(root) ? path.slice(root.length).replace(/^[\\/]+/, '') : path;
    rows.push({
      file: rel.replace(/\\/g, '/'),
      date,
      mutants: f.mutants.length,
      killed,
      timeout,
      survived,
      noCoverage,
      other,
      score: scoreOf(killed, timeout, survived, noCoverage),
    });
  }
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

/** The rows of `fresh` replace those of the same files in `old`; the rest of `old` stays. */
export function mergeSummary(old: MutationSummary | undefined, fresh: FileScore[], command: string): MutationSummary {
  const byFile = new Map((old?.files ?? []).map((f) => [f.file, f]));
  for (const f of fresh) byFile.set(f.file, f);
  return { command, files: [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file)) };
}

/** Totals over every file of the summary. */
export function totalOf(s: MutationSummary): Omit<FileScore, 'file' | 'date'> {
  const t = { mutants: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const f of s.files) {
    t.mutants += f.mutants;
    t.killed += f.killed;
    t.timeout += f.timeout;
    t.survived += f.survived;
    t.noCoverage += f.noCoverage;
    t.other += f.other;
  }
  return { ...t, score: scoreOf(t.killed, t.timeout, t.survived, t.noCoverage) };
}

const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} %`);

/** The "Mutation testing" section of docs/BENCHMARKS.md. */
export function renderMutationSection(s: MutationSummary | undefined): string {
  const out = ['## Mutation testing', ''];
  if (!s || s.files.length === 0) {
    out.push('No mutation run recorded yet: `npm run mutate` writes docs/mutation.json, which this section shows.', '');
    return out.join('\n');
  }
  const t = totalOf(s);
  out.push(
    `Not part of \`npm test\` and not re-run by \`npm run bench\`: this section shows docs/mutation.json, which \`${s.command}\` writes`,
    "(StrykerJS with the vitest runner; each file's row is from the latest run that mutated it). Target: ≥ 90 % per file;",
    'every surviving mutant is killed by a test or explained in [MUTATION.md](MUTATION.md), which also lists the files of the',
    'configuration that have no row yet.',
    '',
    '| file | mutants | killed | timeout | survived | no coverage | errors/ignored | score | date |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of s.files) {
    out.push(
      `| ${f.file} | ${f.mutants} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.other} | ${pct(f.score)} | ${f.date.slice(0, 10)} |`,
    );
  }
  out.push(
    `| **all** | ${t.mutants} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.other} | **${pct(t.score)}** | |`,
    '',
  );
  return out.join('\n');
}
