/**
 * The Zigbee link between one device and the emulated Communications Hub, in virtual
 * time: each frame takes latency ± jitter, and each direction independently loses,
 * duplicates and delays (reorders) frames with its own probabilities, all from one seed.
 *
 * The link outlives device reboots; each booted instance gets a new transport end bound
 * to its PowerRail (a dead instance sends nothing and receives nothing).
 */
import type { OtaTransport } from '../device/ports.js';
import type { PowerRail } from './power-rail.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

export interface DirectionFaults {
  /** Probability a frame is lost. */
  loss: number;
  /** Probability a delivered frame is delivered twice. */
  duplicate: number;
  /** Probability a frame is held back by `reorderDelayMs` (so later frames overtake it). */
  reorder: number;
}

export interface LinkOptions {
  latencyMs: number;
  jitterMs: number;
  reorderDelayMs: number;
  /** Device to server. */
  up: DirectionFaults;
  /** Server to device. */
  down: DirectionFaults;
}

export const CLEAN: DirectionFaults = { loss: 0, duplicate: 0, reorder: 0 };

export function linkOptions(over: Partial<LinkOptions> = {}): LinkOptions {
  return { latencyMs: 20, jitterMs: 10, reorderDelayMs: 150, up: CLEAN, down: CLEAN, ...over };
}

export interface DirectionStats {
  sent: number;
  lost: number;
  duplicated: number;
  delivered: number;
}

function stats(): DirectionStats {
  return { sent: 0, lost: 0, duplicated: 0, delivered: 0 };
}

export class RadioLink {
  readonly up = stats();
  readonly down = stats();
  private deviceHandler: ((frame: Uint8Array) => void) | undefined;
  private deviceRail: PowerRail | undefined;
  private serverHandler: ((frame: Uint8Array) => void) | undefined;
  /** Optional tap on every frame the device sends (tests, energy accounting). */
  onDeviceSend: ((frame: Uint8Array) => void) | undefined;
  /** Optional tap on every frame sent either way, lost ones included (airtime and frame counts in benchmarks). */
  onFrame: ((direction: 'up' | 'down', frame: Uint8Array, atMs: number) => void) | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    public options: LinkOptions,
  ) {}

  /** The transport port of a freshly booted device instance. */
  deviceEnd(rail: PowerRail): OtaTransport {
    this.deviceRail = rail;
    this.deviceHandler = undefined;
    return {
      send: (frame) => {
        rail.check();
        this.onDeviceSend?.(frame);
        this.onFrame?.('up', frame, this.scheduler.now);
        this.carry(frame.slice(), this.options.up, this.up, (f) => this.serverHandler?.(f), undefined);
      },
      onReceive: (handler) => {
        rail.check();
        this.deviceHandler = handler;
      },
    };
  }

  /** The server's side: it sends with `send` and receives through the handler it registers. */
  readonly serverEnd = {
    send: (frame: Uint8Array): void => {
      const rail = this.deviceRail;
      this.onFrame?.('down', frame, this.scheduler.now);
      this.carry(
        frame.slice(),
        this.options.down,
        this.down,
        (f) => {
          if (rail === this.deviceRail && rail?.alive) this.deviceHandler?.(f);
        },
        rail,
      );
    },
    onReceive: (handler: (frame: Uint8Array) => void): void => {
      this.serverHandler = handler;
    },
  };

  private carry(
    frame: Uint8Array,
    faults: DirectionFaults,
    s: DirectionStats,
    deliver: (f: Uint8Array) => void,
    owner: PowerRail | undefined,
  ): void {
    s.sent++;
    if (this.rng.chance(faults.loss)) {
      s.lost++;
      return;
    }
    const copies = this.rng.chance(faults.duplicate) ? 2 : 1;
    if (copies === 2) s.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = this.options.latencyMs + this.rng.next() * this.options.jitterMs;
      if (this.rng.chance(faults.reorder)) delay += this.options.reorderDelayMs;
      this.scheduler.after(
        delay,
        () => {
          s.delivered++;
          deliver(frame);
        },
        owner,
      );
    }
  }
}
