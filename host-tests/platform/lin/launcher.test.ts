/**
 * The supervisor's lin launcher without the SDK: the bank's bytes land in bankN.so and the
 * program given as mcsim runs on that file with the display set (a stand-in script here,
 * since CI has no mcsim); a cut is reported with the lin build's exit code.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinExit } from '../../../device/platform/lin/link-protocol.js';
import { mcsimLauncher } from '../../../tools/lin-supervisor/launcher.js';

const DIR = join(process.cwd(), '.tmp', 'lin-launcher');

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('mcsimLauncher', () => {
  it('runs the simulator on a copy of the chosen bank, on the given display', async () => {
    mkdirSync(DIR, { recursive: true });
    const fake = join(DIR, 'fake-mcsim.sh');
    writeFileSync(fake, '#!/bin/sh\necho "display=$DISPLAY file=$1 bytes=$(wc -c < "$1")"\nexit 7\n');
    chmodSync(fake, 0o755);
    const launcher = mcsimLauncher(fake, ':42');
    expect(launcher.cutExitCode).toBe(LinExit.flashCut);
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const child = launcher.start({ n: 1, bank: 1, payload, runDir: DIR });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(code).toBe(7);
    expect(out.trim()).toBe(`display=:42 file=${join(DIR, 'bank1.so')} bytes=5`);
    expect([...readFileSync(join(DIR, 'bank1.so'))]).toEqual([1, 2, 3, 4, 5]);
  });
});
