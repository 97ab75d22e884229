/** The arithmetic behind "The four digests" and where the page puts its prose (no measuring). */
import { describe, expect, it } from 'vitest';
import { digestCosts, digestNote } from '../../tools/bench/digests.js';
import { renderMarkdown } from '../../tools/bench/render.js';
import { buildRow } from '../../tools/bench/rows.js';
import type { XsFigures } from '../../tools/bench/xs-cost.js';

const figures: XsFigures = {
  sha256PerKiB: 500,
  parsePerKiB: 10,
  streamHashPerKiB: 1000,
  programPerKiB: 100,
  writerHashPerKiB: 1000,
  journalPerRecord: 40,
  journalPerKiB: 10,
  bootCheckPerKiB: 500,
  readBackHashPerKiB: 480,
  crc32PerKiB: 30,
  verifyPort: 1,
  verifyDirect: 1,
  sinkPerKiB: 2120,
  heap: [],
};

describe('the four digests', () => {
  it("takes out the writer's input digest (its two digests less the read-back one), or both for two CRC-32s", () => {
    expect(digestCosts(figures)).toEqual({ asBuilt: 2120, withoutInput: 2120 - 520, crcReadBack: 2120 - 1000 + 60 });
  });

  it('is rendered after the tables and before the targets not met', () => {
    const row = buildRow({
      section: 'XS cost',
      what: 'x',
      figure: 2,
      unit: 'u',
      floor: 1,
      floorHow: 'f',
      target: { on: 'ratio', op: '<=', value: 1 },
      whyNot: 'w',
      ran: 'xs',
    });
    const info = {
      date: 'd',
      machine: { nproc: 2, cpu: 'c', node: 'n', platform: 'p', loadAverage: 0 },
      command: 'npm run bench',
      seconds: 1,
      absent: [],
      notes: [digestNote(figures)],
    };
    const page = renderMarkdown(info, [row]);
    const [table, note, missed] = ['## XS cost', '## The four digests', '## Targets not met'].map((h) =>
      page.indexOf(h),
    );
    expect(table).toBeGreaterThan(0);
    expect(note).toBeGreaterThan(table);
    expect(missed).toBeGreaterThan(note);
    expect(page).toContain('as built 2,120 (2.12×); without 3 1,600 (1.60×)');
  });
});
