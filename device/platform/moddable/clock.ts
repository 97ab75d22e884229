/** Clock port on Moddable: `Timer` for timers, `Time.ticks` for monotonic ms, `Date` for wall time. */
import Timer from 'timer';
import Time from 'time';
import type { Clock, TimerHandle, WallTime } from '../../ports.js';

const timers = new Map<number, unknown>();
let next = 1;
/** Set by the platform's authenticated time source (e.g. a GBCS time sync); never by OTA frames. */
let trustedSince: number | undefined;

export function markWallTimeTrusted(): void {
  trustedSince = Time.ticks;
}

export const moddableClock: Clock = {
  monotonicMs: () => Time.ticks,
  wallTime(): WallTime | undefined {
    const s = Math.floor(Date.now() / 1000);
    if (s < 1_600_000_000) return undefined; // never set since boot
    return { unixSeconds: s, trusted: trustedSince !== undefined };
  },
  setTimer(ms: number, callback: () => void): TimerHandle {
    const id = next++;
    timers.set(
      id,
      Timer.set(() => {
        timers.delete(id);
        callback();
      }, ms),
    );
    return id;
  },
  clearTimer(handle: TimerHandle): void {
    const t = timers.get(handle);
    if (t !== undefined) {
      Timer.clear(t as never);
      timers.delete(handle);
    }
  },
};
