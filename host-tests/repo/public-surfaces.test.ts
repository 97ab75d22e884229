/**
 * Each device/ folder, and the emulator in sim/, has one public surface: its index.ts.
 * Product code (device/, sim/, tools/) reaches another folder only through it, and a
 * folder never imports its own index (which would make an import cycle). device/platform/
 * is the exception: its files are chosen per build by the Moddable manifest, so a
 * re-exporting index would pull every platform's natives into each build. Tests may reach
 * the internals of the folder they test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const SURFACES = [
  'device/agent',
  'device/conformance',
  'device/crypto',
  'device/ecdsa',
  'device/image',
  'device/pki',
  'device/storage',
  'device/util',
  'device/zigbee',
  'sim',
];
/** What tools/ may take from host-tests/: the XS engine's driver and the lane's case server (the benchmarks run inside XS). */
const TOOLS_MAY_USE = ['host-tests/xs/xsnap-worker.ts', 'host-tests/xs/entries/serve.ts'];

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

/** Every relative import or re-export of `file`, resolved to a repository path (`.js` read as `.ts`). */
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])).replace(/\.js$/, '.ts'),
  );
}

const product = ['device', 'sim', 'tools'].flatMap((dir) => sources(dir));

describe('public surfaces', () => {
  it('every surface folder has its index.ts', () => {
    expect(SURFACES.filter((folder) => !existsSync(path.join(root, folder, 'index.ts')))).toEqual([]);
    expect(product.length).toBeGreaterThan(150);
  });

  it('device/, sim/ and tools/ reach another folder only through its index', () => {
    const past: string[] = [];
    let throughIndex = 0;
    for (const file of product) {
      const folder = path.posix.dirname(file);
      for (const target of importsOf(file)) {
        const owner = path.posix.dirname(target);
        if (!SURFACES.includes(owner) || owner === folder) continue;
        if (path.posix.basename(target) === 'index.ts') throughIndex++;
        else past.push(`${file} -> ${target}`);
      }
    }
    expect(past).toEqual([]);
    expect(throughIndex).toBeGreaterThan(100);
  });

  it('no folder imports its own index', () => {
    const cycles = product.flatMap((file) =>
      importsOf(file)
        .filter(
          (target) => path.posix.basename(file) !== 'index.ts' && target === `${path.posix.dirname(file)}/index.ts`,
        )
        .map((target) => `${file} -> ${target}`),
    );
    expect(cycles).toEqual([]);
  });

  it('device/ and sim/ import nothing from the tests or tools; tools take from host-tests only the XS driver', () => {
    const stray: string[] = [];
    for (const file of product) {
      for (const target of importsOf(file)) {
        const intoTests = target.startsWith('host-tests/');
        if (
          file.startsWith('tools/')
            ? intoTests && !TOOLS_MAY_USE.includes(target)
            : intoTests || target.startsWith('tools/')
        ) {
          stray.push(`${file} -> ${target}`);
        }
      }
    }
    expect(stray).toEqual([]);
  });

  it('device/ never imports the emulator', () => {
    const stray = product
      .filter((file) => file.startsWith('device/'))
      .flatMap((file) => importsOf(file).filter((t) => t.startsWith('sim/')));
    expect(stray).toEqual([]);
  });
});
