/**
 * One emulated world: the parts a world is made of (the emulated CH, the radio link, the
 * reference bootloader) and the device instances that run in it are built by the composer
 * alone (sim/world.ts and the production-line functions of sim/world-parts.ts), so the
 * download tests, the end-to-end tests, `simulate`, the XS lane and the lin supervisor
 * provision, serve and boot the same way. A bare flash chip (FlashMedia) is a unit-level
 * part (storage tests, the flash contract, storage benchmarks) and is not checked here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const COMPOSER = ['sim/world.ts', 'sim/world-parts.ts'];
const PARTS = ['EmulatedCh', 'RadioLink', 'SimBootloader', 'AgentDevice', 'DownloadDevice'];

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

const files = ['device', 'sim', 'tools', 'host-tests'].flatMap((dir) => sources(dir));
const constructs = (file: string, part: string) =>
  new RegExp(`\\bnew\\s+${part}\\s*\\(`).test(readFileSync(path.join(root, file), 'utf8'));

describe('one emulated world', () => {
  it('only the composer constructs the CH, the radio link, the bootloader and the device instances', () => {
    expect(files.length).toBeGreaterThan(300);
    const outside = PARTS.flatMap((part) =>
      files.filter((f) => !COMPOSER.includes(f) && constructs(f, part)).map((f) => `${f}: new ${part}`),
    );
    expect(outside).toEqual([]);
    // The check would see a construction: every part is built in the composer.
    for (const part of PARTS)
      expect(
        COMPOSER.some((f) => constructs(f, part)),
        part,
      ).toBe(true);
  });

  it('the lin supervisor provisions, serves and boots with the composer’s functions', () => {
    const supervisor = sources('tools/lin-supervisor')
      .map((f) => readFileSync(path.join(root, f), 'utf8'))
      .join('\n');
    for (const call of ['provisionPart(', 'emulatedCh(', 'bootloader(']) expect(supervisor).toContain(call);
  });
});
