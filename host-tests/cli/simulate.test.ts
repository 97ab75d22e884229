/**
 * `althan-ota simulate`, run as a user runs it (the real bin, a child process): a whole
 * emulated update with its JSON summary and SVG timeline, and the CLI's help.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function althanOta(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/althan-ota.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

describe('althan-ota simulate', () => {
  it('runs a battery device through a lossy update with power cuts to confirmed, with --json last and --svg drawn', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'althan-sim-'));
    const svg = path.join(dir, 'timeline.svg');
    const r = althanOta([
      'simulate',
      '--battery',
      '--size',
      '16384',
      '--loss',
      '0.1',
      '--power-cuts',
      '3',
      '--seed',
      '7',
      '--svg',
      svg,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toMatchObject({
      outcome: 'confirmed',
      fromVersion: 0x01000000,
      toVersion: 0x01000001,
      runningVersion: 0x01000001,
      powerCuts: 3,
      bricked: false,
    });
    for (const k of [
      'bytes',
      'blockRequests',
      'retries',
      'flashErases',
      'flashWrites',
      'journalWrites',
      'virtualSeconds',
    ]) {
      expect(typeof result[k]).toBe('number');
    }
    expect(result.blockRequests as number).toBeGreaterThanOrEqual(Math.ceil(16384 / 50));
    // the live view went to stderr, a line per phase
    for (const phase of ['downloading', 'POWER CUT', 'verifying', 'activating', 'trial boot', 'confirmed'])
      expect(r.stderr).toContain(phase);
    const picture = readFileSync(svg, 'utf8');
    expect(picture.startsWith('<svg')).toBe(true);
    expect(picture).toContain('confirmed');
    expect(picture.match(/stroke="#d62828"/g)?.length).toBe(3 + 1); // three cuts + the legend
  });

  it('a new image that fails its self-test is rolled back and the old version keeps running', () => {
    const r = althanOta(['simulate', '--size', '4096', '--self-test', 'fail', '--json']);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ outcome: 'rolled-back', runningVersion: 0x01000000, bricked: false });
  });

  it('refuses bad arguments with a usage error, and --help lists every command', () => {
    expect(althanOta(['simulate', '--loss', '2']).code).toBe(2);
    const help = althanOta(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['simulate', 'pki init', 'cert verify', 'sign', 'inspect', 'verify'])
      expect(help.stdout).toContain(`althan-ota ${c}`);
  });
});
