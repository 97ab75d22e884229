/**
 * `npm run moddable:*` without the SDK: the runner says what is missing and exits 3
 * (usage errors 2), never a stack trace. CI has no SDK, so this is the path CI can check.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../vectors/vectors.js';

function runner(args: string[], env: Record<string, string | undefined>) {
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  const r = spawnSync(tsx, ['tools/moddable/run.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('tools/moddable/run.ts without an SDK', () => {
  it('MODDABLE unset: exit 3 and says to install the SDK', () => {
    const r = runner(['crypto'], { MODDABLE: '' });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('MODDABLE is not set');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('MODDABLE without built tools: exit 3 and names mcconfig and mcsim', () => {
    const r = runner(['conformance'], { MODDABLE: path.join(repoRoot, 'no-such-sdk') });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('missing: mcconfig');
    expect(r.stderr).toContain('mcsim');
  });

  it('an unknown app: exit 2 with the usage line', () => {
    const r = runner(['nonsense'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: tsx tools/moddable/run.ts <crypto|conformance>');
  });
});
