/**
 * The ports one powered-on instance of a world's device gets: its flash over the world's
 * chip, its clock over the world's time, its power over the world's battery or mains, its
 * end of the radio link, each behind the port failures the world asks for. The instance's
 * rail cuts them all at once. No Node API: runs inside XS too.
 */
import type { BootControl, Clock, Flash, OtaTransport, Power } from '../device/ports.js';
import { failingFlash, failingPower, failingTransport, wornSector, type WornSectorMode } from './faulty-ports.js';
import type { PowerRail } from './power-rail.js';
import { SimPower } from './sim-battery.js';
import { SimClock } from './sim-clock.js';
import type { World } from './world.js';

/** Port failures that are not power cuts (ports.ts: every call may throw). */
export interface PortFaults {
  /** The reporter always throws (report queue full). */
  reporterThrows?: boolean;
  /** Probability that transport.send throws (stack queue full). */
  sendFailure?: number;
  /** Probability that a Power port call throws. */
  powerReadFailure?: number;
  /** Probability that a flash program call throws without touching the chip. */
  flashProgramFailure?: number;
  /** The flash program call with this index (0-based, this instance) throws without touching the chip. */
  flashProgramFailsAt?: number;
  /** One sector (absolute index) worn out, persistently (faulty-ports.ts). */
  wornSector?: { sector: number; mode: WornSectorMode };
}

export interface InstancePorts {
  flash: Flash;
  clock: Clock;
  power: Power;
  transport: OtaTransport;
}

/** Builds an instance's ports; draws its fault generator from the world's (one fork). */
export function instancePorts(world: World, rail: PowerRail, faults: PortFaults = {}): InstancePorts {
  const faultRng = world.rng.fork();
  const fails = (p: number | undefined) => p !== undefined && faultRng.chance(p);
  let programs = 0;
  const failing = failingFlash(world.media.attach(rail), () => {
    if (programs++ === faults.flashProgramFailsAt) return true;
    if (!fails(faults.flashProgramFailure)) return false;
    world.injectedFaults++;
    return true;
  });
  const worn = faults.wornSector;
  return {
    flash: worn ? wornSector(failing, worn.sector, worn.mode, () => world.wornSectorErases++) : failing,
    clock: new SimClock(world.scheduler, rail, world.config.wall),
    power: failingPower(new SimPower(rail, world.battery), () => fails(faults.powerReadFailure)),
    transport: failingTransport(world.link.deviceEnd(rail), () => fails(faults.sendFailure)),
  };
}

/** The instance's boot control: the bank the bootloader started, and a restart that ends the instance. */
export function bootControl(rail: PowerRail, bank: 0 | 1): BootControl {
  return {
    runningBank: () => {
      rail.check();
      return bank;
    },
    restart: () => {
      rail.check();
      rail.cut('restart');
    },
  };
}
