/**
 * Virtual time for a whole emulated world (devices, radio link, Communications Hub).
 * Events fire in time order, ties in the order they were scheduled; nothing waits for the
 * host's real clock, so a day of device time runs in milliseconds and always the same way.
 */
import type { PowerRail } from './power-rail.js';

interface Event {
  time: number;
  seq: number;
  fn: () => void;
  /** An event owned by a device instance is dropped once that instance has lost power. */
  owner: PowerRail | undefined;
  cancelled: boolean;
}

export class Scheduler {
  private nowMs = 0;
  private seq = 0;
  private queue: Event[] = [];
  private byId = new Map<number, Event>();
  /** Events fired so far (a step bound for tests, never a wall-time one). */
  fired = 0;

  get now(): number {
    return this.nowMs;
  }

  /** Schedules `fn` after `ms` (>= 0) of virtual time; returns an id for `cancel`. */
  after(ms: number, fn: () => void, owner?: PowerRail): number {
    const id = ++this.seq;
    const e: Event = { time: this.nowMs + Math.max(0, ms), seq: id, fn, owner, cancelled: false };
    // Insert keeping (time, seq) order; queues stay short, so a linear scan from the end is enough.
    let i = this.queue.length;
    while (
      i > 0 &&
      (this.queue[i - 1].time > e.time || (this.queue[i - 1].time === e.time && this.queue[i - 1].seq > e.seq))
    )
      i--;
    this.queue.splice(i, 0, e);
    this.byId.set(id, e);
    return id;
  }

  cancel(id: number): void {
    const e = this.byId.get(id);
    if (e) {
      e.cancelled = true;
      this.byId.delete(id);
    }
  }

  /** Time of the next live event, or undefined when nothing is pending. */
  peek(): number | undefined {
    this.dropDead();
    return this.queue.length ? this.queue[0].time : undefined;
  }

  /** Fires the next event; false when none is pending. */
  step(): boolean {
    this.dropDead();
    const e = this.queue.shift();
    if (!e) return false;
    this.byId.delete(e.seq);
    this.nowMs = e.time;
    this.fired++;
    e.fn();
    return true;
  }

  /** Moves time forward to `time` (>= now), firing every event due by then. */
  advanceTo(time: number): void {
    for (;;) {
      const t = this.peek();
      if (t === undefined || t > time) break;
      this.step();
    }
    if (time > this.nowMs) this.nowMs = time;
  }

  /** Fires events until `done()` holds, nothing is pending, or `maxEvents` have fired. Returns done(). */
  runUntil(done: () => boolean, maxEvents = 10_000_000): boolean {
    let n = 0;
    while (!done() && n < maxEvents && this.step()) n++;
    return done();
  }

  private dropDead(): void {
    while (
      this.queue.length &&
      (this.queue[0].cancelled || (this.queue[0].owner !== undefined && !this.queue[0].owner.alive))
    ) {
      const e = this.queue.shift()!;
      this.byId.delete(e.seq);
    }
  }
}
