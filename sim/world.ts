/**
 * The emulated world, composed from one config: virtual time (Scheduler), a seeded
 * generator, the lossy radio link, the emulated CH on its far end, one flash chip (profile,
 * faults) provisioned by the production line (world-parts.ts: a confirmed factory image in
 * bank 0, its boot record, a formatted journal), a battery or mains. It powers the device
 * on as often as asked, each time a new instance over the same chip, cell and link:
 * - `boot()`: the bootloader (world-parts.ts) through the instance's own flash (its writes
 *   can be cut too), then the real agent (agent-device.ts);
 * - `bootDownload(options)`: the download alone, bank 0 running (download-device.ts).
 * The lin supervisor builds its part, CH and bootloader from the same world-parts.ts.
 * No Node API: runs inside XS too.
 */
import type { AgentConfig, AgentPhase, PowerPolicy } from '../device/agent/index.js';
import type { TrustStore } from '../device/pki/index.js';
import type { Report } from '../device/ports.js';
import {
  type BootRecord,
  type DownloadProgress,
  Journal,
  type LayoutConfig,
  makeLayout,
  readBootRecord,
  readDownloadProgress,
  sectorsNeeded,
  type StorageLayout,
} from '../device/storage/index.js';
import { AgentDevice, type TrialBehaviour } from './agent-device.js';
import { DownloadDevice, type DownloadOptions } from './download-device.js';
import type { PortFaults } from './instance-ports.js';
import type { EmulatedCh, ServerOptions } from './ota-server.js';
import { PowerLost, PowerRail } from './power-rail.js';
import { RadioLink, linkOptions, type LinkOptions } from './radio-link.js';
import { Rng } from './rng.js';
import { Scheduler } from './scheduler.js';
import { SimBattery, type BatteryConfig } from './sim-battery.js';
import type { BootOutcome } from './sim-bootloader.js';
import type { WallClockSetting } from './sim-clock.js';
import { FlashMedia, NOR_FF_ALIGN4, type FlashProfile } from './sim-flash.js';
import { bootloader, emulatedCh, provisionPart } from './world-parts.js';

/** The agent's build constants: what `boot()` needs (a world that only downloads does without). */
export interface AgentBuild {
  trust: TrustStore;
  manufacturerCode: number;
  imageType: number;
  hardwareVersion: number;
  client?: AgentConfig['client'];
  policy?: PowerPolicy;
}

export interface WorldConfig extends Partial<AgentBuild> {
  seed: number;
  /** Version of the factory image confirmed in bank 0. */
  currentVersion: number;
  /** Each bank's size (rounded up to sectors). */
  bankSize: number;
  /** Bytes of the factory image (default 8 KiB). */
  factoryBytes?: number;
  flash?: FlashProfile;
  /** A chip to start from instead of a factory-fresh one (successive updates; the bricked check's clean follow-up). */
  media?: FlashMedia;
  /** Battery-powered when given, mains otherwise. */
  battery?: BatteryConfig;
  link?: Partial<LinkOptions>;
  server?: Partial<ServerOptions>;
  wall?: WallClockSetting;
  /** Port failures of every agent instance (`bootDownload` takes its own). */
  faults?: PortFaults;
}

/** Metadata sectors per bank: the prefix (header, manifest, signature, chain) can exceed one 4 KiB sector. */
const METADATA_BYTES = 8192;
const FACTORY_BYTES = 8192;

export interface RecordedReport {
  boot: number;
  t: number;
  report: Report;
}

export class World {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly link: RadioLink;
  readonly ch: EmulatedCh;
  readonly media: FlashMedia;
  readonly battery: SimBattery | undefined;
  readonly layoutConfig: LayoutConfig;
  readonly layout: StorageLayout;
  /** Every agent report of every boot, in order (bounded). */
  readonly reports: RecordedReport[] = [];
  readonly bootOutcomes: BootOutcome[] = [];
  /** The rail of a boot that died inside the bootloader (for the caller's accounting). */
  lastDeadRail: PowerRail | undefined;
  /** Counters of the chip when the factory handed it over (a fresh chip's operation count starts at 0 there). */
  readonly baseline: { ops: number; erases: number; programs: number; journalPrograms: number; sectorErases: number[] };
  /** Behaviour of each version's trial boot (default: pass). */
  trialBehaviour: (version: number) => TrialBehaviour = () => 'pass';
  /** Observes the agent of every boot. */
  onPhase: ((phase: AgentPhase, detail?: string) => void) | undefined;
  boots = 0;
  halted = false;
  /** Erase attempts on the worn sector (faults.wornSector), over all boots. */
  wornSectorErases = 0;
  /** Port failures injected so far (faults config). */
  injectedFaults = 0;
  /** The agent instance of the last `boot()`. */
  current: AgentDevice | undefined;
  /** The instance of the last `bootDownload()`. */
  currentDownload: DownloadDevice | undefined;
  /** Bank 0 as the factory left it, to prove it untouched. */
  private readonly factoryBank: Uint8Array;
  /** Image Block Requests sent by agent instances that ended (the current one adds its own). */
  private endedBlockRequests = 0;

  constructor(readonly config: WorldConfig) {
    this.rng = new Rng(config.seed);
    this.link = new RadioLink(this.scheduler, this.rng.fork(), linkOptions(config.link));
    this.ch = emulatedCh(this.link.serverEnd, this.rng.fork(), config.server);
    const profile = config.flash ?? NOR_FF_ALIGN4;
    this.layoutConfig = { bankSize: config.bankSize, metadataSize: METADATA_BYTES };
    this.media =
      config.media ??
      new FlashMedia(profile, sectorsNeeded(profile.sectorSize, this.layoutConfig) * profile.sectorSize, config.seed);
    const probe = this.media.attach(new PowerRail());
    this.layout = makeLayout(probe, this.layoutConfig);
    if (!config.media) {
      const media = this.media;
      const bytes = this.rng.fork().bytes(Math.min(config.factoryBytes ?? FACTORY_BYTES, this.layout.banks[0].size));
      provisionPart(
        { flash: probe, layout: this.layout, load: (offset, image) => media.bytes.set(image, offset) },
        { image: bytes, version: config.currentVersion },
      );
      media.ops = 0;
    }
    this.factoryBank = this.media.peek(this.layout.banks[0].offset, this.layout.banks[0].size);
    this.baseline = {
      ops: this.media.ops,
      erases: this.erases(),
      programs: this.programs(),
      journalPrograms: this.journalPrograms(),
      sectorErases: Array.from(this.media.eraseCount),
    };
    if (config.battery) {
      const battery = new SimBattery(this.scheduler, config.battery);
      this.battery = battery;
      this.link.onDeviceSend = () => battery.drain(battery.config.radioRequest);
      this.media.onOperation = (kind, length) =>
        battery.drain(kind === 'erase' ? battery.config.flashErase : length * battery.config.flashProgramPerByte);
    }
  }

  /** Powers the device on: bootloader, then a new agent instance. Undefined when the bootloader halts or power fails before the agent runs. */
  boot(): AgentDevice | undefined {
    const build = this.agentBuild();
    if (this.current) this.endedBlockRequests += this.current.blockRequests();
    this.current = undefined;
    this.boots++;
    const rail = new PowerRail();
    this.battery?.attach(rail);
    let outcome: BootOutcome;
    try {
      outcome = bootloader(this.media.attach(rail), this.layout).boot();
    } catch (e) {
      if (e instanceof PowerLost) return this.deadOnArrival(rail);
      throw e;
    }
    this.bootOutcomes.push(outcome);
    if (outcome.kind === 'halt') {
      this.halted = true;
      return undefined;
    }
    const d = new AgentDevice(this, build, rail, outcome.bank, outcome.trial, outcome.watchdogSeconds);
    this.current = d;
    d.start();
    return d;
  }

  /** Powers the device on with only the download running (the previous instance, if any, must have been cut). */
  bootDownload(options: DownloadOptions): DownloadDevice {
    this.boots++;
    const d = new DownloadDevice(this, options);
    this.currentDownload = d;
    d.driver.start();
    return d;
  }

  private agentBuild(): AgentBuild {
    const c = this.config;
    if (!c.trust || c.manufacturerCode === undefined || c.imageType === undefined || c.hardwareVersion === undefined)
      throw new TypeError('boot() runs the agent: the world needs trust, manufacturerCode, imageType, hardwareVersion');
    const { trust, manufacturerCode, imageType, hardwareVersion, client, policy } = c;
    return { trust, manufacturerCode, imageType, hardwareVersion, client, policy };
  }

  private deadOnArrival(rail: PowerRail): AgentDevice | undefined {
    // The cut hit the bootloader's own write: nothing ran; the caller reboots.
    this.lastDeadRail = rail;
    return undefined;
  }

  /**
   * Runs the world until `done()` holds: a dead agent instance (restart, crash, watchdog,
   * cut) is rebooted. Bounded by scheduler events, never wall time. Returns done().
   */
  run(done: () => boolean, maxEvents = 1_000_000): boolean {
    let n = 0;
    if (!this.current && !this.halted) this.boot();
    while (!done() && !this.halted && n++ < maxEvents) {
      if (!this.current?.alive) {
        this.boot();
        continue;
      }
      if (!this.scheduler.step()) break;
    }
    return done();
  }

  /** Reports of one kind, in order. */
  reportsOf<K extends Report['kind']>(kind: K): Extract<Report, { kind: K }>[] {
    return this.reports.flatMap((r) => (r.report.kind === kind ? [r.report as Extract<Report, { kind: K }>] : []));
  }

  /** Image Block Requests sent by every agent instance so far. */
  blockRequests(): number {
    return this.endedBlockRequests + (this.current?.blockRequests() ?? 0);
  }

  record(report: Report): void {
    if (this.reports.length < 10_000) this.reports.push({ boot: this.boots, t: this.scheduler.now, report });
  }

  /** The standing boot record (a probe read, not a port call of any instance). */
  bootRecord(): BootRecord | undefined {
    try {
      return readBootRecord(this.media.attach(new PowerRail()), this.layout);
    } catch {
      return undefined;
    }
  }

  /** The journal's download-progress record, read as a freshly booted device would. */
  progress(): DownloadProgress | undefined {
    return readDownloadProgress(Journal.open(this.media.attach(new PowerRail()), this.layout));
  }

  /** A copy of the chip as it is now (to read or boot without touching the real one). */
  chipCopy(seed = 1): FlashMedia {
    const copy = new FlashMedia(this.media.profile, this.media.size, seed);
    copy.copyFrom(this.media);
    return copy;
  }

  /** True while bank 0 still holds exactly what the factory left there. */
  runningImageIntact(): boolean {
    const b = this.media.bytes;
    const o = this.layout.banks[0].offset;
    for (let i = 0; i < this.factoryBank.length; i++) if (b[o + i] !== this.factoryBank[i]) return false;
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

  erases(): number {
    let n = 0;
    for (const c of this.media.eraseCount) n += c;
    return n;
  }

  programs(): number {
    let n = 0;
    for (const c of this.media.programCount) n += c;
    return n;
  }

  journalPrograms(): number {
    const [a, b] = this.layout.journalSectors;
    return this.media.programCount[a] + this.media.programCount[b];
  }
}
