/** The harness uses no Node API: its flash, time and battery run inside the real XS engine. */
import { describe, expect, it } from 'vitest';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/harness.entry.ts');
const run = <T>(name: string, args: unknown = {}) => lane.run<T>(name, args);

describe('harness inside XS', () => {
  it('SimFlash tears an erase and refuses every later operation, for both profiles', async () => {
    const r = await run<{ profile: string; ok: boolean; erased: number; opsAfter: number; readFault: boolean }[]>(
      'tornWrites',
      { seed: 9 },
    );
    expect(r.map((x) => x.profile)).toEqual(['nor-ff-align4', 'nor-00-align8']);
    // The ECC profile raises a read fault on the torn sector; the other reads its random bits.
    expect(r.map((x) => x.readFault)).toEqual([false, true]);
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
