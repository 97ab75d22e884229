/** Runs the `openssl` command line for the interop tests (it is part of the OS image, here and in CI). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function openssl(args: string[], cwd: string, input?: Uint8Array | string): Buffer {
  return execFileSync('openssl', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Like `openssl`, but returns the exit status and both outputs instead of throwing. */
export function opensslStatus(args: string[], cwd: string): { status: number; out: string } {
  try {
    const out = execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, out: out.toString('utf8') };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return {
      status: err.status ?? 1,
      out: `${err.stdout?.toString('utf8') ?? ''}${err.stderr?.toString('utf8') ?? ''}`,
    };
  }
}

const made: string[] = [];
// Registered while the importing test file is collected, so it runs after that file's tests.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file that made it. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}
