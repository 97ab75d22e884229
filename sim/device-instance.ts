/**
 * Composes an emulated world for OTA downloads (virtual time, radio link, emulated CH,
 * flash chip, battery, progress store) and boots device instances in it: ports over the
 * harness pieces, the test image sink, and the OTA driver. A cut kills the instance (its
 * ports throw, its timers never fire); `boot` again makes a new one over the same flash,
 * battery and progress store, as a reboot does. No Node API: runs inside XS too.
 */
import { nobleSha256 } from '../device/crypto/index.js';
import { OtaDriver, type OtaClientConfig, type PowerPolicy } from '../device/agent/index.js';
import type { BootControl, Report, Reporter } from '../device/ports.js';
import {
  Journal,
  readDownloadProgress,
  type DownloadProgress,
  makeLayout,
  sectorsNeeded,
  type StorageLayout,
} from '../device/storage/index.js';
import { HONEST, EmulatedCh, DEFAULT_SERVER, type ServerOptions } from './ota-server.js';
import { PowerRail } from './power-rail.js';
import { RadioLink, linkOptions, type LinkOptions } from './radio-link.js';
import { Rng } from './rng.js';
import { Scheduler } from './scheduler.js';
import { SimBattery, SimPower, type BatteryConfig } from './sim-battery.js';
import { SimClock } from './sim-clock.js';
import { FlashMedia, NOR_FF_ALIGN4, type FlashProfile, type SimFlash } from './sim-flash.js';
import { StorageImageSink } from './storage-image-sink.js';
import { failingFlash, failingPower, failingTransport, thrown } from './faulty-ports.js';

export interface OtaWorldConfig {
  seed: number;
  link?: Partial<LinkOptions>;
  server?: Partial<ServerOptions>;
  flash?: FlashProfile;
  /** Size of each of the two banks (device/storage layout); bank 0 runs, bank 1 receives. */
  bankSize: number;
  /** Battery-powered when set, mains otherwise. */
  battery?: BatteryConfig;
}

export interface DeviceOptions {
  client: Omit<OtaClientConfig, 'capacity'>;
  policy: PowerPolicy;
  faults?: PortFaults;
}

/** Port failures that are not power cuts (ports.ts: every call may throw). */
export interface PortFaults {
  /** Probability that transport.send throws (stack queue full). */
  sendFailure?: number;
  /** Probability that a Power port call throws. */
  powerReadFailure?: number;
  /** The reporter always throws (report queue full). */
  reporterThrows?: boolean;
  /** The flash program call with this index (0-based, this instance) throws without touching the chip. */
  flashProgramFailsAt?: number;
}

export class OtaWorld {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly link: RadioLink;
  readonly ch: EmulatedCh;
  readonly media: FlashMedia;
  readonly battery: SimBattery | undefined;
  readonly layout: StorageLayout;
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
    const profile = config.flash ?? NOR_FF_ALIGN4;
    const layoutConfig = { bankSize: config.bankSize, metadataSize: profile.sectorSize };
    const sectors = sectorsNeeded(profile.sectorSize, layoutConfig);
    this.media = new FlashMedia(profile, sectors * profile.sectorSize, config.seed);
    this.layout = makeLayout(this.media.attach(new PowerRail()), layoutConfig);
    this.runningImage = this.rng.fork().bytes(this.layout.banks[0].size);
    this.media.bytes.set(this.runningImage, this.layout.banks[0].offset);
    // Provisioned at the factory: the journal is formatted before the first boot, so no flash operation below is the journal's formatting.
    Journal.open(this.media.attach(new PowerRail()), this.layout);
    this.media.ops = 0;
    if (config.battery) {
      const battery = new SimBattery(this.scheduler, config.battery);
      this.battery = battery;
      this.link.onDeviceSend = () => battery.drain(battery.config.radioRequest);
      this.media.onOperation = (kind, length) =>
        battery.drain(kind === 'erase' ? battery.config.flashErase : length * battery.config.flashProgramPerByte);
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
    const o = this.layout.banks[0].offset;
    for (let i = 0; i < this.runningImage.length; i++) if (b[o + i] !== this.runningImage[i]) return false;
    return true;
  }

  /** The inactive bank's first `length` bytes. */
  bank(length: number): Uint8Array {
    return this.media.peek(this.layout.banks[1].offset, length);
  }

  /** Erases and programs that touched the inactive bank or its metadata record so far. */
  bankFlashOps(): number {
    const b = this.layout.banks[1];
    let n = 0;
    for (const [first, count] of [
      [b.firstSector, b.sectorCount],
      [b.metaFirstSector, b.metaSectorCount],
    ]) {
      for (let s = first; s < first + count; s++) n += this.media.eraseCount[s] + this.media.programCount[s];
    }
    return n;
  }

  /** The journal's download-progress record, read as a freshly booted device would. */
  progress(): DownloadProgress | undefined {
    return readDownloadProgress(Journal.open(this.media.attach(new PowerRail()), this.layout));
  }
}

export class DeviceInstance {
  readonly rail = new PowerRail();
  readonly flash: SimFlash;
  readonly boot: BootControl;
  readonly sink: StorageImageSink;
  readonly driver: OtaDriver;
  readonly reports: Report[] = [];
  readonly refusals: string[] = [];
  /** Every finished attempt: 'downloaded', or the error code it was aborted with. */
  readonly outcomes: string[] = [];
  pauses = 0;

  constructor(
    readonly world: OtaWorld,
    options: DeviceOptions,
  ) {
    const rail = this.rail;
    const faults = options.faults ?? {};
    const faultRng = world.rng.fork();
    const fails = (p: number | undefined): boolean => p !== undefined && faultRng.chance(p);
    world.battery?.attach(rail);
    this.flash = world.media.attach(rail);
    const clock = new SimClock(world.scheduler, rail, undefined);
    const power = failingPower(new SimPower(rail, world.battery), () => fails(faults.powerReadFailure));
    const reporter: Reporter = {
      report: (r) => {
        rail.check();
        if (faults.reporterThrows) thrown('report queue full');
        if (this.reports.length < 256) this.reports.push(r);
      },
    };
    const transport = failingTransport(world.link.deviceEnd(rail), () => fails(faults.sendFailure));
    let programs = 0;
    const flash = failingFlash(this.flash, () => programs++ === faults.flashProgramFailsAt);
    this.boot = {
      runningBank: () => {
        rail.check();
        return 0;
      },
      restart: () => {
        rail.check();
        rail.cut('restart');
      },
    };
    this.sink = new StorageImageSink({ flash, sha256: nobleSha256, boot: this.boot }, world.layout);
    const random = world.rng.fork();
    this.driver = new OtaDriver({ transport, clock, power, reporter }, this.sink, {
      client: options.client,
      policy: options.policy,
      random: () => random.next(),
      onFinished: (o) => {
        if (this.outcomes.length < 256) this.outcomes.push(o.kind === 'aborted' ? o.error.code : o.kind);
      },
      onEvent: (a) => {
        if (a.kind === 'refused') {
          if (this.refusals.length < 256) this.refusals.push(a.error.code);
        } else this.pauses++;
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
