/**
 * The MCU build and run commands without their SDK and toolchain (CI has neither): they
 * name what is missing and exit 3; a wrong flag exits 2. And the MCU manifest preloads
 * every agent module, so none is left to load into RAM on the device unnoticed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TSX = path.join('node_modules', '.bin', 'tsx');

function tool(script: string, args: string[], env: NodeJS.ProcessEnv): { code: number | null; stderr: string } {
  const r = spawnSync(TSX, [`tools/mcu/${script}`, ...args], { encoding: 'utf8', env });
  return { code: r.status, stderr: r.stderr };
}

describe('npm run mcu:build / mcu:bench', () => {
  it('say what is missing and exit 3 without the SDK, and exit 2 on a bad flag', () => {
    const env = { ...process.env, MODDABLE: '' };
    const build = tool('build.ts', [], env);
    expect(build.code).toBe(3);
    expect(build.stderr).toContain('$MODDABLE is not set');
    expect(tool('build.ts', ['--board', 'esp32'], env).code).toBe(2);
    expect(tool('run.ts', ['--frobnicate'], env).code).toBe(2);
    expect(build.stderr).not.toMatch(/\n\s+at /);
  });

  it('know the RV32 board: without the SDK it is a missing tool (3), not an unknown board (2)', () => {
    const env = { ...process.env, MODDABLE: '' };
    const build = tool('build.ts', ['--board', 'rv32'], env);
    expect(build.code).toBe(3);
    expect(build.stderr).toContain('$MODDABLE is not set');
    // A PATH holding node alone: no emulator, no cross compiler.
    const bin = mkdtempSync(path.join(tmpdir(), 'mcu-path-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const run = tool('run.ts', ['--board', 'rv32', '--quick'], { ...env, PATH: bin });
    rmSync(bin, { recursive: true, force: true });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('qemu-system-riscv32');
    expect(run.stderr).toContain('riscv64-unknown-elf-gcc');
  });
});

describe('device/platform/mcu/manifest.json', () => {
  it('preloads every agent module (TypeScript modules must be listed one by one)', () => {
    const manifest = JSON.parse(readFileSync('device/platform/mcu/manifest.json', 'utf8')) as { preload: string[] };
    const expected = ['util', 'pki', 'image', 'storage', 'zigbee', 'agent', 'ecdsa'].flatMap((folder) =>
      readdirSync(path.join('device', folder))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => `${folder}/${f.slice(0, -3)}`),
    );
    expect(expected.filter((m) => !manifest.preload.includes(m))).toEqual([]);
    expect(manifest.preload.some((m) => m.startsWith('crypto/') || m.startsWith('@noble/'))).toBe(false);
  });
});
