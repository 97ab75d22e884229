/**
 * docs/SECURITY.md points at tests: every `` `file` › `title` `` it cites is a test file
 * in this repository holding a test of that title, and every threat row cites one or
 * says why none applies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/SECURITY.md', root), 'utf8');

/** A test file's source with the escapes of its string literals undone, so titles can be found as written in the document. */
function source(file: string): string {
  return readFileSync(new URL(file, root), 'utf8').replace(/\\'/g, "'").replace(/\\"/g, '"');
}

describe('docs/SECURITY.md', () => {
  const cited = [...doc.matchAll(/`(host-tests\/[^`]+\.test\.ts)` › `([^`]+)`/g)].map((m) => ({
    file: m[1],
    title: m[2],
  }));

  it('cites tests that exist, by file and title', () => {
    expect(cited.length).toBeGreaterThan(40);
    for (const { file, title } of cited) {
      expect(existsSync(new URL(file, root)), file).toBe(true);
      expect(source(file), `${file} › ${title}`).toContain(title);
    }
  });

  it('every threat row cites a test or says why none applies', () => {
    const rows = doc
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| threat') && !l.startsWith('|---'));
    expect(rows.length).toBeGreaterThan(35);
    for (const row of rows) {
      const last = row.split(' | ').at(-1)!;
      expect(
        /`host-tests\/[^`]+\.test\.ts`/.test(last) || /no (single-key )?test applies/.test(last),
        row.slice(0, 80),
      ).toBe(true);
    }
  });
});
