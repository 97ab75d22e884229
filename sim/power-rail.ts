/**
 * The supply of one emulated device instance. A cut is total: from that moment every port
 * call of the instance throws PowerLost, its timers never fire, and the harness discards
 * it. A reboot makes a new instance with a new rail over the same flash (RAM is lost).
 */
export class PowerLost extends Error {
  constructor(reason: string) {
    super(`power lost: ${reason}`);
    this.name = 'PowerLost';
  }
}

export class PowerRail {
  private cutReason: string | undefined;

  get alive(): boolean {
    return this.cutReason === undefined;
  }

  get reason(): string | undefined {
    return this.cutReason;
  }

  /** Cuts the supply (idempotent: the first reason stands). */
  cut(reason: string): void {
    if (this.cutReason === undefined) this.cutReason = reason;
  }

  /** Throws PowerLost once the supply is cut. Every emulated port calls this first. */
  check(): void {
    if (this.cutReason !== undefined) throw new PowerLost(this.cutReason);
  }
}
