/**
 * manifest.lin.json, read as mcconfig reads it: the lin build uses the native crypto ports,
 * every preloaded module is one the build has, and nothing that breaks when preloaded is
 * (noble's module-level scratch arrays and the Moddable clock's timer table would be
 * read-only; docs/PORTING.md, "The lin build"). The build itself needs the SDK
 * (`npm run moddable:e2e`); this runs everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Manifest {
  modules: Record<string, string | string[]>;
  preload?: string[];
  creation?: Record<string, unknown>;
}

const manifest = JSON.parse(readFileSync('manifest.lin.json', 'utf8')) as Manifest;

function paths(key: string): string[] {
  const v = manifest.modules[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Whether mcconfig gives the build module `name`: `folder/*` is a folder entry of the
 * manifest; `folder/file` is a file of a folder entry mapped to `./dir/*`; a bare name is a
 * file listed in the top-level `*` entry.
 */
function resolves(name: string): boolean {
  if (name.endsWith('/*')) return paths(name).length > 0;
  const slash = name.lastIndexOf('/');
  if (slash < 0) return paths('*').some((p) => p.endsWith(`/${name}`) && existsSync(`${p.slice(2)}.ts`));
  const folder = paths(`${name.slice(0, slash)}/*`);
  const file = name.slice(slash + 1);
  return folder.some((p) => p.endsWith('/*') && existsSync(`${p.slice(2, -1)}${file}.ts`));
}

describe('manifest.lin.json', () => {
  it('picks the native crypto ports', () => {
    expect(manifest.modules['platform/crypto-ports']).toBe('./device/platform/crypto-ports-moddable');
    expect(manifest.modules['platform/moddable/*']).toContain('./device/platform/moddable/p256-native');
  });

  it('preloads the agent, and every preloaded name is a module of the build', () => {
    const preload = manifest.preload ?? [];
    expect(preload).toEqual(
      expect.arrayContaining(['agent/*', 'storage/*', 'image/*', 'pki/*', 'zigbee/*', 'util/*', 'errors']),
    );
    for (const name of preload) expect(resolves(name), name).toBe(true);
    // the check can fail: names the build does not have
    for (const name of ['storage/no-such-module', 'no-such-folder/*', 'no-such-file'])
      expect(resolves(name), name).toBe(false);
  });

  it('preloads nothing that breaks in read-only memory', () => {
    const preload = manifest.preload ?? [];
    for (const name of preload) {
      expect(name.startsWith('@noble'), name).toBe(false);
      expect(name === 'crypto/*' || name.startsWith('crypto/noble'), name).toBe(false);
      expect(name.startsWith('platform/moddable'), name).toBe(false);
      expect(name === 'main' || name.endsWith('main-lin'), name).toBe(false);
    }
  });

  it('keeps the link socket and the exit and meters modules of the lin folder', () => {
    expect(manifest.modules['lin/*']).toBe('./device/platform/lin/native/*');
    for (const f of ['link-socket.c', 'link-socket.js', 'exit.c', 'meters.c'])
      expect(existsSync(`device/platform/lin/native/${f}`), f).toBe(true);
  });
});
