/** The XS driver's live-bytes reading (the bench's heap figures rest on it). */
import { describe, expect, it } from 'vitest';
import { XsWorker } from './xsnap-worker.js';

describe('XsWorker.liveBytes', () => {
  it('counts a held buffer and stops counting it once it is let go', async () => {
    const xs = await XsWorker.start();
    try {
      const before = await xs.liveBytes();
      await xs.evaluate('globalThis.held = new Uint8Array(1000000)');
      const holding = await xs.liveBytes();
      await xs.evaluate('globalThis.held = undefined');
      const after = await xs.liveBytes();
      expect(holding - before).toBeGreaterThanOrEqual(1_000_000);
      expect(holding - before).toBeLessThan(1_001_000);
      expect(Math.abs(after - before)).toBeLessThan(1_000);
    } finally {
      await xs.close();
    }
  });
});
