/** Whole downloads over the emulated link: request counts lossless and lossy, and the image lands intact. */
import { describe, expect, it } from 'vitest';
import { simpleDownload } from '../../sim/download-scenario.js';
import { CLEAN } from '../../sim/radio-link.js';

describe('download over a lossless link', () => {
  it('takes exactly ceil(size / served block) block requests and lands the payload in the inactive bank', () => {
    const r = simpleDownload({ seed: 1, payloadBytes: 70_000 });
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.blockRequests).toBe(Math.ceil(r.imageSize / 50));
    expect(r.blockRequestsReceived).toBe(r.blockRequests);
    expect(r.queries).toBe(1);
    expect(r.bankMatches).toBe(true);
    expect(r.runningImageIntact).toBe(true);
    expect(r.flashMisuse).toBe(0);
    expect(r.world.ch.stats.upgradeEnds).toEqual([0]);
    expect(r.device.driver.client.attributes).toMatchObject({
      imageUpgradeStatus: 6,
      fileOffset: r.imageSize,
      downloadedFileVersion: 0x101,
    });
  });

  it('the block is what the server serves: a server serving 40 of the 64 asked takes ceil(size / 40)', () => {
    const r = simpleDownload({ seed: 2, payloadBytes: 9_000, world: { server: { blockSize: 40 } } });
    expect(r.outcome?.kind).toBe('downloaded');
    expect(r.blockRequests).toBe(Math.ceil(r.imageSize / 40));
  });
});

describe('client state does not grow with the image', () => {
  it('after a 4 KiB and a 100 KiB download the client holds the same fields, differing only in the digits of its counters', () => {
    const shape = (payloadBytes: number) => {
      const r = simpleDownload({ seed: 3, payloadBytes });
      expect(r.outcome?.kind).toBe('downloaded');
      const c = r.device.driver.client as unknown as Record<string, unknown>;
      const json = JSON.stringify(c, (_k, v) => (v instanceof Uint8Array ? `bytes:${v.length}` : v));
      return { json, digitless: json.replace(/[0-9]+/g, '#') };
    };
    const small = shape(4 * 1024);
    const large = shape(100 * 1024);
    expect(large.digitless).toBe(small.digitless);
    expect(Math.abs(large.json.length - small.json.length)).toBeLessThan(24);
  });
});

describe('download over a lossy link (10% independent loss each way)', () => {
  it('over 20 seeds and 64 KiB images, mean requests within 1.05x of ceil(size/block)/0.81, never restarting from 0', () => {
    const ratios: number[] = [];
    for (let seed = 100; seed < 120; seed++) {
      const r = simpleDownload({
        seed,
        payloadBytes: 64 * 1024,
        world: { link: { up: { ...CLEAN, loss: 0.1 }, down: { ...CLEAN, loss: 0.1 } } },
      });
      expect(r.outcome?.kind, `seed ${seed}`).toBe('downloaded');
      expect(r.bankMatches).toBe(true);
      expect(r.restartsFromZero).toBe(0);
      const floor = Math.ceil(r.imageSize / 50) / 0.81;
      ratios.push(r.blockRequests / floor);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    console.log(
      `lossy 10%/10%: mean requests / (ceil(size/50)/0.81) = ${mean.toFixed(4)} (min ${Math.min(...ratios).toFixed(4)}, max ${Math.max(...ratios).toFixed(4)})`,
    );
    expect(mean).toBeLessThanOrEqual(1.05);
  });
});
