/**
 * README's layout block names the tree as it is: every path it lists exists, and every
 * folder of the repository's top level, of device/ and of host-tests/ is listed (or a file in it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
/** Folders that are not the project's own: installed, generated or version control. */
// Not part of the repository: installed, generated or ignored by .gitignore (build output, mutation reports).
const NOT_LISTED = ['node_modules', '.git', '.tmp', 'build', 'reports'];

function layoutBlock(): string[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = section.slice(section.indexOf('```\n') + 4, section.indexOf('\n```', section.indexOf('```\n') + 4));
  return block.split('\n');
}

/** The listed paths: a name at the left margin, or indented under the last top-level folder. */
function listedPaths(): string[] {
  let parent = '';
  return layoutBlock().map((line) => {
    const name = line.trim().split(/\s+/)[0];
    if (!line.startsWith(' ')) {
      parent = name.endsWith('/') ? name : '';
      return name;
    }
    return parent + name;
  });
}

const folders = (dir: string) =>
  readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_LISTED.includes(entry.name))
    .map((entry) => `${dir ? `${dir}/` : ''}${entry.name}/`);

describe('README layout', () => {
  const listed = listedPaths();

  it('lists only paths that exist', () => {
    expect(listed.length).toBeGreaterThan(30);
    expect(listed.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });

  it('lists every folder at the top level, in device/ and in host-tests/', () => {
    const tree = [...folders(''), ...folders('device'), ...folders('host-tests')];
    expect(tree.filter((folder) => !listed.some((p) => p.startsWith(folder)))).toEqual([]);
  });
});
