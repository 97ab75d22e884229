/**
 * Composes an emulated world for OTA downloads (virtual time, radio link, emulated CH,
 * flash chip, battery, progress store) and boots device instances in it: ports over the
 * harness pieces, the test image sink, and the OTA driver. A cut kills the instance (its
 * ports throw, its timers never fire); `boot` again makes a new one over the same flash,
 * battery and progress store, as a reboot does. No Node API: runs inside XS too.
 */
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { OtaDriver } from '../../device/agent/ota-driver.js';
import type { OtaClientConfig } from '../../device/agent/ota-client.js';
import type { PowerPolicy } from '../../device/agent/power-policy.js';
import type { Report, Reporter } from '../../device/ports.js';
import { HONEST, EmulatedCh, DEFAULT_SERVER, type ServerOptions } from './ota-server.js';
import { PowerRail } from './power-rail.js';
import { RadioLink, linkOptions, type LinkOptions } from './radio-link.js';
import { Rng } from './rng.js';
import { Scheduler } from './scheduler.js';
import { SimBattery, SimPower, type BatteryConfig } from './sim-battery.js';
import { SimClock } from './sim-clock.js';
import { FlashMedia, NOR_FF_ALIGN4, type FlashProfile, type SimFlash } from './sim-flash.js';
import { SimProgressStore, TestImageSink } from './test-image-sink.js';

export interface OtaWorldConfig {
  seed: number;
  link?: Partial<LinkOptions>;
  server?: Partial<ServerOptions>;
  flash?: FlashProfile;
  /** Size of each of the two banks; bank 0 runs, bank 1 receives. */
  bankSize: number;
  /** Battery-powered when set, mains otherwise. */
  battery?: BatteryConfig;
}

export interface DeviceOptions {
  client: Omit<OtaClientConfig, 'capacity'>;
  policy: PowerPolicy;
}

export class OtaWorld {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly link: RadioLink;
  readonly ch: EmulatedCh;
  readonly media: FlashMedia;
  readonly battery: SimBattery | undefined;
  readonly progress = new SimProgressStore();
  readonly bankSize: number;
  /** The running image, to prove it untouched. */
  private readonly runningImage: Uint8Array;
  boots = 0;
  current: DeviceInstance | undefined;

  constructor(readonly config: OtaWorldConfig) {
    this.rng = new Rng(config.seed);
    this.link = new RadioLink(this.scheduler, this.rng.fork(), linkOptions(config.link));
    this.ch = new EmulatedCh(this.link.serverEnd, this.rng.fork(), { ...DEFAULT_SERVER, ...config.server });
    this.ch.behaviour = HONEST;
    this.bankSize = config.bankSize;
    this.media = new FlashMedia(config.flash ?? NOR_FF_ALIGN4, 2 * config.bankSize, config.seed);
    this.runningImage = this.rng.fork().bytes(config.bankSize);
    this.media.bytes.set(this.runningImage, 0);
    if (config.battery) {
      const battery = new SimBattery(this.scheduler, config.battery);
      this.battery = battery;
      this.link.onDeviceSend = () => battery.drain(battery.config.radioRequest);
      this.media.onOperation = (kind, length) => battery.drain(kind === 'erase' ? battery.config.flashErase : length * battery.config.flashProgramPerByte);
    }
  }

  /** Boots a new device instance (the previous one, if any, must have been cut). */
  boot(options: DeviceOptions): DeviceInstance {
    this.boots++;
    const d = new DeviceInstance(this, options);
    this.current = d;
    d.driver.start();
    return d;
  }

  /** True while bank 0 still holds exactly the running image. */
  runningImageIntact(): boolean {
    const b = this.media.bytes;
    for (let i = 0; i < this.bankSize; i++) if (b[i] !== this.runningImage[i]) return false;
    return true;
  }

  /** The inactive bank's first `length` bytes. */
  bank(length: number): Uint8Array {
    return this.media.peek(this.bankSize, length);
  }
}

export class DeviceInstance {
  readonly rail = new PowerRail();
  readonly flash: SimFlash;
  readonly sink: TestImageSink;
  readonly driver: OtaDriver;
  readonly reports: Report[] = [];
  readonly refusals: string[] = [];
  pauses = 0;

  constructor(
    readonly world: OtaWorld,
    options: DeviceOptions,
  ) {
    const rail = this.rail;
    world.battery?.attach(rail);
    this.flash = world.media.attach(rail);
    const clock = new SimClock(world.scheduler, rail, undefined);
    const power = new SimPower(rail, world.battery);
    const reporter: Reporter = {
      report: (r) => {
        rail.check();
        this.reports.push(r);
      },
    };
    this.sink = new TestImageSink(this.flash, world.progress, nobleSha256, { bankOffset: world.bankSize, bankSize: world.bankSize });
    const random = world.rng.fork();
    this.driver = new OtaDriver({ transport: world.link.deviceEnd(rail), clock, power, reporter }, this.sink, {
      client: options.client,
      policy: options.policy,
      random: () => random.next(),
      onEvent: (a) => {
        if (a.kind === 'refused') {
          if (this.refusals.length < 256) this.refusals.push(a.error.code);
        }
        else this.pauses++;
      },
    });
  }

  get alive(): boolean {
    return this.rail.alive;
  }

  /** Cuts this instance's power (a reboot follows with world.boot). */
  cut(reason = 'test cut'): void {
    this.rail.cut(reason);
  }
}
