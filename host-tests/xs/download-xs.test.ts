/**
 * The XS lane for the download path: a full download over a lossy link, a power cut with
 * resume, and a hostile server, all inside the real XS engine; prints XS meter figures.
 */
import { describe, expect, it } from 'vitest';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/download.entry.ts');
const run = <T>(name: string, args: unknown = {}, label = name) => lane.run<T>(name, args, label);

describe('download path on XS (xsnap)', () => {
  it('a 64 KiB download over a link losing 10 % each way completes, the image intact, never restarting from 0', async () => {
    const r = await run<{
      outcome: string;
      blockRequests: number;
      imageSize: number;
      bankMatches: boolean;
      runningImageIntact: boolean;
      restartsFromZero: number;
      upgradeEnds: number[];
    }>(
      'download',
      {
        seed: 7,
        payloadBytes: 64 * 1024,
        loss: 0.1,
      },
      'download 64 KiB, 10% loss each way',
    );
    expect(r.outcome).toBe('downloaded');
    expect(r.bankMatches).toBe(true);
    expect(r.runningImageIntact).toBe(true);
    expect(r.restartsFromZero).toBe(0);
    expect(r.upgradeEnds).toEqual([0]);
    const floor = Math.ceil(r.imageSize / 50) / 0.81;
    expect(r.blockRequests / floor).toBeLessThan(1.1);
    console.log(
      `XS download: ${r.blockRequests} block requests for ${r.imageSize} bytes (ceil(size/50)/0.81 = ${floor.toFixed(0)})`,
    );
  });

  it('a lossless download takes exactly ceil(size / 50) block requests, as on Node', async () => {
    const r = await run<{ outcome: string; blockRequests: number; imageSize: number }>(
      'download',
      { seed: 8, payloadBytes: 16 * 1024, loss: 0 },
      'download 16 KiB, lossless',
    );
    expect(r.outcome).toBe('downloaded');
    expect(r.blockRequests).toBe(Math.ceil(r.imageSize / 50));
  });

  it('a power cut mid-download resumes from the recorded progress', async () => {
    const r = await run<{
      outcome: string;
      cutAt: number;
      resumedAt: number;
      bankMatches: boolean;
      restartsFromZero: number;
    }>(
      'resumeAfterCut',
      { seed: 9, payloadBytes: 32 * 1024 },
      'power cut at 16 KiB of 32 KiB, resume (re-hash included)',
    );
    expect(r.outcome).toBe('downloaded');
    expect(r.resumedAt).toBeGreaterThan(0);
    expect(r.resumedAt).toBeLessThanOrEqual(r.cutAt);
    expect(r.bankMatches).toBe(true);
    expect(r.restartsFromZero).toBe(0);
  });

  it('a server answering wrong offsets is refused and the download aborted, flash untouched', async () => {
    const r = await run<{
      outcome: string;
      code: string;
      upgradeEnds: number[];
      flashOps: number;
      runningImageIntact: boolean;
    }>('hostileWrongOffset', { seed: 10 });
    expect(r).toEqual({
      outcome: 'aborted',
      code: 'OTA_TOO_MANY_ERRORS',
      upgradeEnds: [0x95],
      flashOps: 0,
      runningImageIntact: true,
    });
  });
});
