/**
 * An emulated battery (the cell outlives reboots) and the Power port over it.
 *
 * Charge is in arbitrary energy units; each radio request, flash program (per byte) and
 * erase costs some, time recharges it at `rechargePerSecond` (an energy harvester or a
 * cell recovering), idle time drains `idlePerSecond`. At 0 the device browns out: the
 * instance's rail is cut. Below `warnPercent` the Power port raises its low warning.
 */
import type { Power, PowerSource } from '../device/ports.js';
import type { PowerRail } from './power-rail.js';
import type { Scheduler } from './scheduler.js';

export interface BatteryConfig {
  capacity: number;
  /** Starting level, 0..100 %. */
  startPercent: number;
  radioRequest: number;
  flashProgramPerByte: number;
  flashErase: number;
  idlePerSecond: number;
  rechargePerSecond: number;
  /** Below this level the Power port warns of a brown-out. */
  warnPercent: number;
}

export const DEFAULT_BATTERY: BatteryConfig = {
  capacity: 100_000,
  startPercent: 80,
  radioRequest: 2,
  flashProgramPerByte: 0.002,
  flashErase: 8,
  idlePerSecond: 0.05,
  rechargePerSecond: 0.5,
  warnPercent: 5,
};

export class SimBattery {
  private charge: number;
  private lastMs: number;
  private rail: PowerRail | undefined;
  /** Brown-outs so far. */
  brownOuts = 0;

  constructor(
    private readonly scheduler: Scheduler,
    readonly config: BatteryConfig = DEFAULT_BATTERY,
  ) {
    this.charge = (config.capacity * config.startPercent) / 100;
    this.lastMs = scheduler.now;
  }

  /** The instance that browns out when the charge runs out. */
  attach(rail: PowerRail): void {
    this.rail = rail;
  }

  percent(): number {
    this.settle();
    return (100 * this.charge) / this.config.capacity;
  }

  /** Takes `amount` units; at zero the attached instance browns out. */
  drain(amount: number): void {
    this.settle();
    this.charge -= amount;
    this.checkBrownOut();
  }

  /** Applies idle drain and recharge for the virtual time since the last look. */
  private settle(): void {
    const now = this.scheduler.now;
    const dt = (now - this.lastMs) / 1000;
    this.lastMs = now;
    if (dt <= 0) return;
    this.charge = Math.min(
      this.config.capacity,
      this.charge + dt * (this.config.rechargePerSecond - this.config.idlePerSecond),
    );
    this.checkBrownOut();
  }

  private checkBrownOut(): void {
    if (this.charge <= 0) {
      this.charge = 0;
      if (this.rail?.alive) {
        this.brownOuts++;
        this.rail.cut('brown-out');
      }
    }
  }
}

/** Power port of one instance: battery-backed, or mains when no battery is given. */
export class SimPower implements Power {
  constructor(
    private readonly rail: PowerRail,
    private readonly battery: SimBattery | undefined,
  ) {}

  source(): PowerSource {
    this.rail.check();
    return this.battery ? 'battery' : 'mains';
  }

  level(): number {
    this.rail.check();
    return this.battery ? this.battery.percent() : 100;
  }

  lowWarning(): boolean {
    this.rail.check();
    return this.battery ? this.battery.percent() < this.battery.config.warnPercent : false;
  }
}
