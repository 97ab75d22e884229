/** The mutation summary's arithmetic and merge (tools/mutation/summary.ts); no mutation run here. */
import { describe, expect, it } from 'vitest';
import {
  fileScores,
  mergeSummary,
  renderMutationSection,
  scoreOf,
  totalOf,
  type StrykerReport,
} from '../../tools/mutation/summary.js';

const m = (status: string, n: number) => Array.from({ length: n }, () => ({ status }));

const report: StrykerReport = {
  files: {
    '/repo/device/storage/journal.ts': {
      mutants: [...m('Killed', 8), ...m('Timeout', 1), ...m('Survived', 1), ...m('CompileError', 2)],
    },
    '/repo/device/image/raw-signature.ts': { mutants: [...m('Killed', 3), ...m('NoCoverage', 1), ...m('Ignored', 1)] },
  },
};

describe('mutation summary', () => {
  it('scores detected over detected + survived + no coverage; errors and ignored count in neither', () => {
    const rows = fileScores(report, '2026-11-29T21:00:00.000Z', '/repo');
    expect(rows.map((r) => [r.file, r.mutants, r.other, r.score])).toEqual([
      ['device/image/raw-signature.ts', 5, 1, 75],
      ['device/storage/journal.ts', 12, 2, 90],
    ]);
    expect(scoreOf(0, 0, 0, 0)).toBeNull();
  });

  it('a run over one file replaces that file’s row and keeps the others; totals add up', () => {
    const first = mergeSummary(undefined, fileScores(report, '2026-11-29T21:00:00.000Z', '/repo'), 'npm run mutate');
    const again = fileScores(
      { files: { '/repo/device/storage/journal.ts': { mutants: m('Killed', 10) } } },
      '2026-11-30T08:00:00.000Z',
      '/repo',
    );
    const merged = mergeSummary(first, again, 'npm run mutate');
    expect(merged.files.map((f) => [f.file, f.score, f.date.slice(0, 10)])).toEqual([
      ['device/image/raw-signature.ts', 75, '2026-11-29'],
      ['device/storage/journal.ts', 100, '2026-11-30'],
    ]);
    expect(totalOf(merged)).toMatchObject({ mutants: 15, killed: 13, noCoverage: 1, other: 1, score: (100 * 13) / 14 });
    const md = renderMutationSection(merged);
    expect(md).toContain('## Mutation testing');
    expect(md).toContain('| device/storage/journal.ts | 10 | 10 | 0 | 0 | 0 | 0 | 100.0 % | 2026-11-30 |');
    expect(md).toContain('**92.9 %**');
    expect(renderMutationSection(undefined)).toContain('No mutation run recorded yet');
  });
});
