/**
 * No test reads anything outside the repository. Two halves:
 * - static: every relative path written in host-tests/ and tools/ resolves inside the
 *   repository, and nothing names a folder beside it;
 * - dynamic: the repository's files are copied into an empty temporary folder (nothing
 *   beside the copy; node_modules linked in to save the install) and the tests that read
 *   test vectors run there and pass.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../vectors/vectors.js';

/** The repository's files: what git tracks or would add; without git, the tree minus build output. */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f && existsSync(path.join(repoRoot, f)));
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      if (['.git', 'node_modules', '.tmp', 'build'].includes(entry.name)) continue;
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out;
}

const SOURCE = /\.(ts|js|mjs)$/;
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const sources = repositoryFiles().filter((f) => /^(host-tests|tools|bin)\//.test(f) && SOURCE.test(f));

describe('the repository is self-contained', () => {
  it('every relative path in host-tests/, tools/ and bin/ stays inside the repository', () => {
    const outside: string[] = [];
    for (const file of sources) {
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      // Quoted literals that start with ../ : import specifiers and path pieces alike.
      for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`$]*)['"`]/g)) {
        const resolved = path.resolve(repoRoot, path.dirname(file), m[1]);
        if (path.relative(repoRoot, resolved).startsWith('..')) outside.push(`${file}: ${m[1]}`);
      }
    }
    expect(sources.length).toBeGreaterThan(50);
    expect(outside).toEqual([]);
  });

  const workDir = mkdtempSync(path.join(tmpdir(), 'althan-clone-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('the tests that read vectors pass from a copy with nothing beside it', () => {
    const clone = path.join(workDir, 'althan-ota');
    for (const file of repositoryFiles()) {
      mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      copyFileSync(path.join(repoRoot, file), path.join(clone, file));
    }
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    expect(readdirSync(workDir)).toEqual(['althan-ota']);
    const readers = sources.filter(
      (f) =>
        f.endsWith('.test.ts') &&
        f !== 'host-tests/repo/self-contained.test.ts' &&
        /\b(otaImagesDir|wycheproofDir|vectorsDir)\b/.test(readFileSync(path.join(repoRoot, f), 'utf8')),
    );
    expect(readers).toEqual(
      expect.arrayContaining(['host-tests/pki/wycheproof-p256.test.ts', 'host-tests/image/vendor-files.test.ts']),
    );
    // The inner run must not take this run's worker settings for its own.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST'),
    );
    env.NO_COLOR = '1';
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=dot', ...readers], {
      cwd: clone,
      env,
      encoding: 'utf8',
    });
    const report = `${r.stdout}\n${r.stderr}`.replace(ANSI_COLOUR, '');
    expect(report).toMatch(new RegExp(`Test Files\\s+${readers.length} passed`));
    expect(r.status, report).toBe(0);
  });
});
