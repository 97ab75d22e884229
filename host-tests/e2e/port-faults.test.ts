/** Every port call may fail: the agent never throws out, keeps typed error codes, and the update still completes. */
import { describe, expect, it } from 'vitest';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { DEFAULT_BATTERY } from '../../sim/sim-battery.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

function world(faults: NonNullable<ConstructorParameters<typeof World>[0]['faults']>, seed: number) {
  const w = new World({
    seed,
    trust: pki().trustStore,
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 64 * 1024,
    battery: DEFAULT_BATTERY,
    server: { upgradeTime: 0 },
    faults,
  });
  w.ch.images.push(servedImage(signedImage(12_000, { seed: 8 }).file));
  return w;
}

const confirmed = (w: World) =>
  w.bootRecord()?.confirmed.version === TO_VERSION && w.current?.agent.ctx.state === 'idle';

describe('agent under failing ports', () => {
  it('a reporter that always throws: the update is confirmed, every dropped report is noted as REPORT_DROPPED', () => {
    const w = world({ reporterThrows: true }, 41);
    expect(w.run(() => confirmed(w))).toBe(true);
    expect(w.reports).toEqual([]);
    expect(w.current!.agent.recentErrors).toContain('REPORT_DROPPED');
  });

  it('sends failing 20 % of the time and power readings 5 %: the update is still confirmed (nothing thrown out of the agent)', () => {
    const w = world({ sendFailure: 0.2, powerReadFailure: 0.05 }, 43);
    expect(w.run(() => confirmed(w))).toBe(true);
    expect(w.reportsOf('activation')).toEqual([{ kind: 'activation', success: true, version: TO_VERSION }]);
    // What the agent keeps of failures is a bounded ring, however many there were.
    expect(w.current!.agent.recentErrors.length).toBeLessThanOrEqual(16);
    expect(w.current!.agent.driver!.recentErrors.length).toBeLessThanOrEqual(16);
  });

  it('flash programs failing 3 % of the time (not power cuts): downloads resume from the journal, and the update is still confirmed', () => {
    const w = world({ flashProgramFailure: 0.03 }, 47);
    expect(w.run(() => confirmed(w), 2_000_000)).toBe(true);
    expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { version: TO_VERSION } });
    expect(w.reportsOf('activation').at(-1)).toEqual({ kind: 'activation', success: true, version: TO_VERSION });
    expect(w.media.misuse).toEqual([]);
    expect(w.injectedFaults).toBeGreaterThan(0);
  });
});
