/** Virtual time, the device clock, and the battery: deterministic and cut-aware. */
import { describe, expect, it } from 'vitest';
import { PowerLost, PowerRail } from '../../sim/power-rail.js';
import { Scheduler } from '../../sim/scheduler.js';
import { DEFAULT_BATTERY, SimBattery, SimPower } from '../../sim/sim-battery.js';
import { SimClock } from '../../sim/sim-clock.js';

describe('Scheduler and SimClock', () => {
  it('fires timers in time order, ties in the order set, and advances virtual time only', () => {
    const s = new Scheduler();
    const rail = new PowerRail();
    const clock = new SimClock(s, rail, { epochUnixSeconds: 1_790_000_000, trusted: false });
    const seen: string[] = [];
    clock.setTimer(30, () => seen.push('c@30'));
    clock.setTimer(10, () => seen.push('a@10'));
    clock.setTimer(10, () => seen.push('b@10'));
    const cancelled = clock.setTimer(20, () => seen.push('never'));
    clock.clearTimer(cancelled);
    s.advanceTo(25);
    expect(seen).toEqual(['a@10', 'b@10']);
    expect(clock.monotonicMs()).toBe(25);
    s.runUntil(() => false);
    expect(seen).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.wallTime()).toEqual({ unixSeconds: 1_790_000_000, trusted: false });
  });

  it("drops a dead instance's timers and makes its clock throw; a rebooted clock starts at 0", () => {
    const s = new Scheduler();
    const rail = new PowerRail();
    const clock = new SimClock(s, rail, undefined);
    let fired = false;
    clock.setTimer(100, () => (fired = true));
    s.advanceTo(50);
    rail.cut('test');
    s.runUntil(() => false);
    expect(fired).toBe(false);
    expect(() => clock.monotonicMs()).toThrow(PowerLost);
    const again = new SimClock(s, new PowerRail(), undefined);
    expect(again.monotonicMs()).toBe(0);
    expect(again.wallTime()).toBeUndefined();
  });
});

describe('SimBattery', () => {
  it('drains per use, recharges with time, warns low, and browns out at zero', () => {
    const s = new Scheduler();
    const battery = new SimBattery(s, {
      ...DEFAULT_BATTERY,
      capacity: 1000,
      startPercent: 10,
      rechargePerSecond: 1,
      idlePerSecond: 0,
      warnPercent: 5,
    });
    const rail = new PowerRail();
    battery.attach(rail);
    const power = new SimPower(rail, battery);
    expect(power.source()).toBe('battery');
    expect(power.level()).toBeCloseTo(10);
    battery.drain(60);
    expect(power.level()).toBeCloseTo(4);
    expect(power.lowWarning()).toBe(true);
    s.advanceTo(20_000); // 20 s at 1 unit/s
    expect(power.level()).toBeCloseTo(6);
    expect(power.lowWarning()).toBe(false);
    battery.drain(1000);
    expect(rail.alive).toBe(false);
    expect(rail.reason).toBe('brown-out');
    expect(battery.brownOuts).toBe(1);
    expect(() => power.level()).toThrow(PowerLost);
  });

  it('a mains device is always full and never warns', () => {
    const power = new SimPower(new PowerRail(), undefined);
    expect([power.source(), power.level(), power.lowWarning()]).toEqual(['mains', 100, false]);
  });
});
