/**
 * A benchmark row: one figure next to its floor (the least it could be, measured or
 * derived in the same run), the ratio of the two, a target and whether it is met.
 * Pure arithmetic, no measuring: host-tests/bench/rows.test.ts checks it.
 */

/** What a target bounds: the ratio figure/floor, or the figure itself. */
export type TargetOn = 'ratio' | 'figure';

export interface Target {
  on: TargetOn;
  /** '<=': at most `value`; '>=': at least `value`. */
  op: '<=' | '>=';
  value: number;
}

export interface RowInput {
  section: string;
  what: string;
  figure: number;
  unit: string;
  floor: number;
  /** How the floor is derived, in a few words. */
  floorHow: string;
  target: Target;
  /** When the target is not met: why, and what would meet it. */
  whyNot?: string;
  note?: string;
  /** Where it ran ('node', 'xs (xsnap)', and later the Moddable lin build or an MCU core). */
  ran: string;
}

export interface BenchRow extends RowInput {
  /** figure / floor; 1 when both are 0; null when only the floor is 0. */
  ratio: number | null;
  met: boolean;
}

export function ratioOf(figure: number, floor: number): number | null {
  if (floor === 0) return figure === 0 ? 1 : null;
  return figure / floor;
}

/** Compares with a tolerance of one part in 10⁹ so that 1.02 × x / x meets "≤ 1.02". */
function holds(x: number, op: Target['op'], bound: number): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(bound));
  return op === '<=' ? x <= bound + eps : x >= bound - eps;
}

export function verdict(figure: number, ratio: number | null, t: Target): boolean {
  if (!Number.isFinite(figure)) return false;
  if (t.on === 'figure') return holds(figure, t.op, t.value);
  // A ratio over a zero floor is unbounded: it meets only an "at least" target.
  if (ratio === null) return t.op === '>=';
  return holds(ratio, t.op, t.value);
}

export function buildRow(input: RowInput): BenchRow {
  const ratio = ratioOf(input.figure, input.floor);
  return { ...input, ratio, met: verdict(input.figure, ratio, input.target) };
}

/** Mean and worst (largest) of a sample. */
export function meanAndWorst(xs: readonly number[]): { mean: number; worst: number } {
  if (xs.length === 0) return { mean: NaN, worst: NaN };
  let sum = 0;
  let worst = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x > worst) worst = x;
  }
  return { mean: sum / xs.length, worst };
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en');
  if (a >= 10) return x.toFixed(1);
  if (a >= 0.01) return x.toFixed(3);
  return x.toPrecision(3);
}

export function formatRatio(r: number | null): string {
  return r === null ? '∞' : `${r.toFixed(r < 10 ? 3 : 1)}×`;
}

export function formatTarget(t: Target, unit: string): string {
  const op = t.op === '<=' ? '≤' : '≥';
  return t.on === 'ratio' ? `${op} ${t.value}×` : `${op} ${formatNumber(t.value)} ${unit}`.trim();
}
