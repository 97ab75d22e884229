/**
 * The benchmark's row arithmetic (tools/bench/rows.ts): ratio, verdict and the summary
 * statistics. No timing is measured or asserted here.
 */
import { describe, expect, it } from 'vitest';
import {
  buildRow,
  formatRatio,
  formatTarget,
  meanAndWorst,
  ratioOf,
  verdict,
  type RowInput,
} from '../../tools/bench/rows.js';

const base: RowInput = {
  section: 'Radio',
  what: 'requests',
  figure: 0,
  unit: 'requests',
  floor: 0,
  floorHow: 'ceil(size / block)',
  target: { on: 'ratio', op: '<=', value: 1 },
  ran: 'node',
};

describe('bench rows', () => {
  it('ratio is figure over floor', () => {
    expect(ratioOf(1638, 1637)).toBeCloseTo(1.000611, 6);
    expect(ratioOf(0, 0)).toBe(1);
    expect(ratioOf(3, 0)).toBeNull();
  });

  it('a ratio target at exactly its bound is met (no floating-point miss)', () => {
    // 1.02 × 1637.037… / 1637.037… is not exactly 1.02 in binary.
    const floor = 1326 / 0.81;
    expect(buildRow({ ...base, figure: 1.02 * floor, floor, target: { on: 'ratio', op: '<=', value: 1.02 } }).met).toBe(
      true,
    );
    expect(
      buildRow({ ...base, figure: 1.021 * floor, floor, target: { on: 'ratio', op: '<=', value: 1.02 } }).met,
    ).toBe(false);
  });

  it('lossless requests equal to the floor meet 1.00×; one more does not', () => {
    expect(buildRow({ ...base, figure: 5258, floor: 5258 }).met).toBe(true);
    expect(buildRow({ ...base, figure: 5259, floor: 5258 }).met).toBe(false);
  });

  it('figure targets ignore the floor', () => {
    const t = { on: 'figure', op: '>=', value: 1000 } as const;
    expect(verdict(6666.7, 0.33, t)).toBe(true);
    expect(verdict(999, 5, t)).toBe(false);
    expect(verdict(0, 1, { on: 'figure', op: '<=', value: 0 })).toBe(true);
    expect(verdict(4, null, { on: 'figure', op: '<=', value: 0 })).toBe(false);
  });

  it('a zero floor with a non-zero figure meets only an "at least" ratio target', () => {
    expect(verdict(5, null, { on: 'ratio', op: '<=', value: 100 })).toBe(false);
    expect(verdict(5, null, { on: 'ratio', op: '>=', value: 1 })).toBe(true);
  });

  it('a figure that is not a number never meets a target', () => {
    expect(buildRow({ ...base, figure: NaN, floor: 1 }).met).toBe(false);
    expect(buildRow({ ...base, figure: Infinity, floor: 1, target: { on: 'ratio', op: '>=', value: 1 } }).met).toBe(
      false,
    );
  });

  it('an alternative dearer than the design meets "≥ 1×"', () => {
    const r = buildRow({ ...base, figure: 226, floor: 2, target: { on: 'ratio', op: '>=', value: 1 } });
    expect(r.ratio).toBe(113);
    expect(r.met).toBe(true);
  });

  it('mean and worst of a sample', () => {
    expect(meanAndWorst([2862, 1542, 4112, 270])).toEqual({ mean: 2196.5, worst: 4112 });
    const empty = meanAndWorst([]);
    expect(Number.isNaN(empty.mean) && Number.isNaN(empty.worst)).toBe(true);
  });

  it('formats ratios and targets as the page shows them', () => {
    expect(formatRatio(null)).toBe('∞');
    expect(formatRatio(1.0219)).toBe('1.022×');
    expect(formatTarget({ on: 'ratio', op: '<=', value: 1.02 }, 'requests')).toBe('≤ 1.02×');
    expect(formatTarget({ on: 'figure', op: '>=', value: 1000 }, 'updates')).toBe('≥ 1,000 updates');
  });
});
