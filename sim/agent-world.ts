/**
 * One emulated Alt HAN device running the real agent, in a world with the emulated CH:
 * a flash chip that outlives reboots (its bank 0 holds a confirmed factory image), the
 * SimBootloader run at every power-on through the instance's flash (so its writes can be
 * cut too), a battery or mains, virtual time, a lossy radio link, an Activation port the
 * test drives and a Reporter that records. Each boot is a new instance over the same
 * chip, cell and link; a cut, a restart, a crash or the trial watchdog ends an instance.
 * No Node API: it runs inside XS too.
 */
import {
  Agent,
  type AgentConfig,
  type AgentPhase,
  type PowerPolicy,
  type SelfTestCheck,
} from '../device/agent/index.js';
import { nobleP256, nobleSha256 } from '../device/crypto/index.js';
import type { TrustStore } from '../device/pki/index.js';
import type {
  Activation,
  ActivationCommand,
  ActivationResponseCode,
  BootControl,
  CredentialCommands,
  Ports,
  Report,
  Reporter,
} from '../device/ports.js';
import {
  hashFlash,
  provisionBootRecord,
  readBootRecord,
  type BootRecord,
  Journal,
  makeLayout,
  sectorsNeeded,
  type LayoutConfig,
  type StorageLayout,
} from '../device/storage/index.js';
import { failingFlash, failingPower, failingTransport, wornSector, type WornSectorMode } from './faulty-ports.js';
import { DEFAULT_SERVER, EmulatedCh, HONEST, type ServerOptions } from './ota-server.js';
import { PowerLost, PowerRail } from './power-rail.js';
import { RadioLink, linkOptions, type LinkOptions } from './radio-link.js';
import { Rng } from './rng.js';
import { Scheduler } from './scheduler.js';
import { SimBattery, SimPower, type BatteryConfig } from './sim-battery.js';
import { SimBootloader, type BootOutcome } from './sim-bootloader.js';
import { SimClock, type WallClockSetting } from './sim-clock.js';
import { FlashMedia, NOR_FF_ALIGN4, type FlashProfile } from './sim-flash.js';

/** What a new image does on its trial boot. */
export type TrialBehaviour = 'pass' | 'fail' | 'crash';

export interface AgentWorldConfig {
  seed: number;
  trust: TrustStore;
  manufacturerCode: number;
  imageType: number;
  hardwareVersion: number;
  /** Version of the factory image confirmed in bank 0. */
  currentVersion: number;
  /** Each bank's size (rounded up to sectors). */
  bankSize: number;
  /** Bytes of the factory image (default 8 KiB). */
  factoryBytes?: number;
  flash?: FlashProfile;
  /** Battery-powered when given, mains otherwise. */
  battery?: BatteryConfig;
  link?: Partial<LinkOptions>;
  server?: Partial<ServerOptions>;
  wall?: WallClockSetting;
  client?: AgentConfig['client'];
  policy?: PowerPolicy;
  /** A chip to start from instead of a factory-fresh one (the bricked check's clean follow-up). */
  media?: FlashMedia;
  /** Port failures that are not power cuts (ports.ts: every call may throw). */
  faults?: {
    reporterThrows?: boolean;
    sendFailure?: number;
    powerReadFailure?: number;
    flashProgramFailure?: number;
    /** One sector (absolute index) worn out, persistently (faulty-ports.ts). */
    wornSector?: { sector: number; mode: WornSectorMode };
  };
}

/** Metadata sectors per bank: the prefix (header, manifest, signature, chain) can exceed one 4 KiB sector. */
const METADATA_BYTES = 8192;

export interface RecordedReport {
  boot: number;
  t: number;
  report: Report;
}

export class AgentWorld {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly link: RadioLink;
  readonly ch: EmulatedCh;
  readonly media: FlashMedia;
  readonly battery: SimBattery | undefined;
  readonly layoutConfig: LayoutConfig;
  readonly layout: StorageLayout;
  /** Every report of every boot, in order (bounded). */
  readonly reports: RecordedReport[] = [];
  readonly bootOutcomes: BootOutcome[] = [];
  /** The rail of a boot that died inside the bootloader (for the caller's accounting). */
  lastDeadRail: PowerRail | undefined;
  /** Counters of the chip when the factory handed it over. */
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
  current: AgentDevice | undefined;
  /** Image Block Requests sent by instances that ended (the current one adds its own). */
  private endedBlockRequests = 0;

  constructor(readonly config: AgentWorldConfig) {
    this.rng = new Rng(config.seed);
    this.link = new RadioLink(this.scheduler, this.rng.fork(), linkOptions(config.link));
    this.ch = new EmulatedCh(this.link.serverEnd, this.rng.fork(), { ...DEFAULT_SERVER, ...config.server });
    this.ch.behaviour = HONEST;
    const profile = config.flash ?? NOR_FF_ALIGN4;
    this.layoutConfig = { bankSize: config.bankSize, metadataSize: METADATA_BYTES };
    const sectors = sectorsNeeded(profile.sectorSize, { bankSize: config.bankSize, metadataSize: METADATA_BYTES });
    this.media = config.media ?? new FlashMedia(profile, sectors * profile.sectorSize, config.seed);
    const probe = this.media.attach(new PowerRail());
    this.layout = makeLayout(probe, this.layoutConfig);
    if (!config.media) this.provision(probe);
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

  /** The production line: a factory image in bank 0, its boot record, a formatted journal. */
  private provision(flash: ReturnType<FlashMedia['attach']>): void {
    const factory = this.rng.fork().bytes(Math.min(this.config.factoryBytes ?? 8192, this.layout.banks[0].size));
    this.media.bytes.set(factory, this.layout.banks[0].offset);
    const digest = hashFlash(flash, nobleSha256, this.layout.banks[0].offset, factory.length);
    provisionBootRecord(flash, this.layout, {
      bank: 0,
      version: this.config.currentVersion,
      length: factory.length,
      digest,
    });
    Journal.open(flash, this.layout);
  }

  /** Powers the device on: bootloader, then a new agent instance. Undefined when the bootloader halts or power fails before the agent runs. */
  boot(): AgentDevice | undefined {
    if (this.current) this.endedBlockRequests += this.current.blockRequests();
    this.current = undefined;
    this.boots++;
    const rail = new PowerRail();
    this.battery?.attach(rail);
    const flash = this.media.attach(rail);
    const bootloader = new SimBootloader(flash, this.layout, nobleSha256);
    let outcome: BootOutcome;
    try {
      outcome = bootloader.boot();
    } catch (e) {
      if (e instanceof PowerLost) return this.deadOnArrival(rail);
      throw e;
    }
    this.bootOutcomes.push(outcome);
    if (outcome.kind === 'halt') {
      this.halted = true;
      return undefined;
    }
    const d = new AgentDevice(this, rail, outcome.bank, outcome.trial, outcome.watchdogSeconds);
    this.current = d;
    d.start();
    return d;
  }

  private deadOnArrival(rail: PowerRail): AgentDevice | undefined {
    // The cut hit the bootloader's own write: nothing ran; the caller reboots.
    this.lastDeadRail = rail;
    return undefined;
  }

  /**
   * Runs the world until `done()` holds: a dead instance (restart, crash, watchdog, cut)
   * is rebooted. Bounded by scheduler events, never wall time. Returns done().
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

  /** Image Block Requests sent by every instance so far. */
  blockRequests(): number {
    return this.endedBlockRequests + (this.current?.blockRequests() ?? 0);
  }

  /** The standing boot record (a probe read, not a port call of any instance). */
  bootRecord(): BootRecord | undefined {
    try {
      return readBootRecord(this.media.attach(new PowerRail()), this.layout);
    } catch {
      return undefined;
    }
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

  record(report: Report): void {
    if (this.reports.length < 10_000) this.reports.push({ boot: this.boots, t: this.scheduler.now, report });
  }
}

export class AgentDevice {
  readonly agent: Agent;
  private commandHandler: ((c: ActivationCommand) => ActivationResponseCode) | undefined;
  private credentialHandler: ((command: Uint8Array) => number) | undefined;

  constructor(
    readonly world: AgentWorld,
    readonly rail: PowerRail,
    readonly bank: 0 | 1,
    readonly trial: boolean,
    watchdogSeconds: number | undefined,
  ) {
    const cfg = world.config;
    const chip = world.media.attach(rail);
    const faults = cfg.faults ?? {};
    const faultRng = world.rng.fork();
    const fails = (p: number | undefined) => p !== undefined && faultRng.chance(p);
    const failing = failingFlash(chip, () => {
      if (!fails(faults.flashProgramFailure)) return false;
      world.injectedFaults++;
      return true;
    });
    const worn = faults.wornSector;
    const flash = worn ? wornSector(failing, worn.sector, worn.mode, () => world.wornSectorErases++) : failing;
    const clock = new SimClock(world.scheduler, rail, cfg.wall);
    const boot: BootControl = {
      runningBank: () => {
        rail.check();
        return bank;
      },
      restart: () => {
        rail.check();
        rail.cut('restart');
      },
    };
    const activation: Activation = {
      onCommand: (h) => {
        rail.check();
        this.commandHandler = h;
      },
    };
    const credentials: CredentialCommands = {
      onCommand: (h) => {
        rail.check();
        this.credentialHandler = h;
      },
    };
    const reporter: Reporter = {
      report: (r) => {
        rail.check();
        if (faults.reporterThrows) throw new Error('report queue full');
        world.record(r);
      },
    };
    const power = failingPower(new SimPower(rail, world.battery), () => fails(faults.powerReadFailure));
    const transport = failingTransport(world.link.deviceEnd(rail), () => fails(faults.sendFailure));
    const ports: Ports = {
      flash,
      boot,
      power,
      clock,
      transport,
      activation,
      credentials,
      reporter,
      sha256: nobleSha256,
      p256: nobleP256,
    };
    const random = world.rng.fork();
    const vendor: SelfTestCheck[] = [];
    if (trial) {
      const record = world.bootRecord();
      const version = record?.trial?.version ?? 0;
      const behaviour = world.trialBehaviour(version);
      if (behaviour !== 'pass') vendor.push(trialCheck(behaviour, rail));
      // The bootloader's watchdog: a trial that has not confirmed itself in time is reset.
      if (watchdogSeconds)
        world.scheduler.after(
          watchdogSeconds * 1000,
          () => {
            if (this.agent.ctx.state === 'trial-self-test') rail.cut('watchdog');
          },
          rail,
        );
    }
    this.agent = new Agent(ports, {
      layout: world.layoutConfig,
      trust: cfg.trust,
      manufacturerCode: cfg.manufacturerCode,
      imageType: cfg.imageType,
      hardwareVersion: cfg.hardwareVersion,
      client: cfg.client,
      policy: cfg.policy,
      random: () => random.next(),
      selfTest: { vendor },
      onPhase: (p, d) => world.onPhase?.(p, d),
    });
  }

  start(): void {
    this.agent.start();
  }

  get alive(): boolean {
    return this.rail.alive;
  }

  /** An explicit activation command (CS06) as the CH would relay it; undefined when the instance is dead or never registered. */
  command(imageHash: Uint8Array, atUnixSeconds?: number): ActivationResponseCode | undefined {
    if (!this.rail.alive || !this.commandHandler) return undefined;
    const c: ActivationCommand = { imageHash };
    if (atUnixSeconds !== undefined) c.atUnixSeconds = atUnixSeconds;
    return this.commandHandler(c);
  }

  /** A credential replacement command (CS02b-like) as the CH would relay it: the CS02b answer, or undefined when the instance is dead or never registered. */
  credentialCommand(command: Uint8Array): number | undefined {
    if (!this.rail.alive || !this.credentialHandler) return undefined;
    return this.credentialHandler(command);
  }

  cut(reason = 'power cut'): void {
    this.rail.cut(reason);
  }

  blockRequests(): number {
    return this.agent.driver?.client.sent.block ?? 0;
  }

  /** The client's file offset (progress of the current download). */
  fileOffset(): number {
    return this.agent.driver?.client.fileOffset ?? 0;
  }
}

/** The new image's own check on its trial boot: fails, or crashes the device (a reset before it can confirm). */
function trialCheck(behaviour: 'fail' | 'crash', rail: PowerRail): SelfTestCheck {
  return {
    name: 'vendor application check',
    run(finish) {
      if (behaviour === 'fail') finish(false, 'application check failed');
      else rail.cut('crash');
    },
  };
}
