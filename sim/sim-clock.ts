/** Clock port of one emulated device instance, on the world's virtual time. */
import type { Clock, TimerHandle, WallTime } from '../device/ports.js';
import type { PowerRail } from './power-rail.js';
import type { Scheduler } from './scheduler.js';

/** The wall clock of the emulated world: unix seconds at virtual time 0, and whether the device trusts it. */
export interface WallClockSetting {
  epochUnixSeconds: number;
  trusted: boolean;
}

export class SimClock implements Clock {
  private readonly bootMs: number;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rail: PowerRail,
    private readonly wall: WallClockSetting | undefined,
  ) {
    this.bootMs = scheduler.now;
  }

  monotonicMs(): number {
    this.rail.check();
    return this.scheduler.now - this.bootMs;
  }

  wallTime(): WallTime | undefined {
    this.rail.check();
    if (!this.wall) return undefined;
    return {
      unixSeconds: this.wall.epochUnixSeconds + Math.floor(this.scheduler.now / 1000),
      trusted: this.wall.trusted,
    };
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    this.rail.check();
    return this.scheduler.after(ms, callback, this.rail);
  }

  clearTimer(handle: TimerHandle): void {
    this.rail.check();
    this.scheduler.cancel(handle);
  }
}
