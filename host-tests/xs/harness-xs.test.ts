/** The harness uses no Node API: its flash, time and battery run inside the real XS engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForXs, XsWorker } from './xsnap-worker.js';

let xs: XsWorker;

beforeAll(async () => {
  xs = await XsWorker.start(await bundleForXs('host-tests/xs/entries/harness.entry.ts'));
});
afterAll(async () => xs?.close());

async function run<T>(name: string, args: unknown = {}): Promise<T> {
  const { meter, result } = await xs.call<{ ok: boolean; value: T; error?: string }>({ name, args });
  console.log(`XS meter ${name}: compute=${meter.compute} heapSlots=${meter.currentHeapCount}`);
  if (!result.ok) throw new Error(`XS case ${name} failed: ${result.error}`);
  return result.value;
}

describe('harness inside XS', () => {
  it('SimFlash tears an erase and refuses every later operation, for both profiles', async () => {
    const r = await run<{ profile: string; ok: boolean; erased: number; opsAfter: number }[]>('tornWrites', { seed: 9 });
    expect(r.map((x) => x.profile)).toEqual(['nor-ff-align4', 'nor-00-align8']);
    for (const x of r) {
      expect(x.ok).toBe(true);
      expect(x.opsAfter).toBe(0);
      expect(x.erased).toBeGreaterThan(0);
      expect(x.erased).toBeLessThan(256);
    }
  });

  it('virtual time orders timers and the battery browns the instance out', async () => {
    expect(await run('timeAndBattery')).toEqual({ order: [1, 5], alive: false, reason: 'brown-out' });
  });
});
