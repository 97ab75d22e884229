/**
 * One whole update in the emulated world, with the measures the `simulate` command shows:
 * the real agent on one device against the emulated CH serving a signed image, power cuts
 * spread over the update (each followed by a reboot over the same flash), in virtual time
 * under a step bound. No Node API: it runs inside XS too (the caller passes the signed
 * image and the trust store; signing stays with the tools).
 *
 * Power cuts: the n-th cut is armed at a seeded flash-operation index after the boot it
 * follows, `gap` operations on average, where `gap` spreads the cuts over the update's
 * expected operations but never drops below what a resume redoes (so every cut leaves
 * progress behind it). A cut is clean or torn (seeded). When more cuts are asked than
 * the update has room for that way, the others fall early in non-trial boots (1–12 s in,
 * seeded): boot check, query, the first blocks of a resume, where they cost no progress.
 * Cuts still owed when the run has ended fall on the idle device at seeded virtual times,
 * so the count always equals the number asked for.
 */
import { type PowerPolicy, readArmed } from '../device/agent/index.js';
import type { TrustStore } from '../device/pki/index.js';
import type { Report } from '../device/ports.js';
import { readU16, readU32 } from '../device/util/index.js';
import { nobleSha256 } from '../device/crypto/index.js';
import { UPGRADE_TIME_WAIT_FOR_COMMAND } from '../device/zigbee/index.js';
import {
  readBootRecord,
  type BootRecord,
  Journal,
  type StorageLayout,
  readDownloadProgress,
} from '../device/storage/index.js';
import type { AgentDevice } from './agent-device.js';
import { HONEST, type Behaviour, servedImage } from './ota-server.js';
import { PowerRail } from './power-rail.js';
import { CLEAN } from './radio-link.js';
import { Rng } from './rng.js';
import { DEFAULT_BATTERY } from './sim-battery.js';
import type { FlashMedia, FlashProfile } from './sim-flash.js';
import { World } from './world.js';
import { bootloader } from './world-parts.js';

export interface WorldOptions {
  image: Uint8Array;
  trustStore: TrustStore;
  currentVersion: number;
  hardwareVersion: number;
  battery: boolean;
  loss: number;
  powerCuts: number;
  seed: number;
  selfTest?: 'pass' | 'fail' | 'crash';
  activation?: 'now' | 'command';
  /** The agent's power policy (default: DEFAULT_POWER_POLICY). */
  policy?: PowerPolicy;
  /** A chip that already went through updates (its confirmed image must be `currentVersion`): successive updates on one device. */
  media?: FlashMedia;
  /** Sees the world once it is built, before the first boot (benchmarks attach their counters here). */
  onWorld?: (world: World) => void;
  /**
   * A credential replacement command (device/pki/credential-command.ts) the CH relays once:
   * at the first idle moment of the first boot ('idle'), or once the download is half way ('download').
   */
  credential?: { command: Uint8Array; at: 'idle' | 'download' };
}

export type WorldPhase =
  | 'credentials'
  | 'query'
  | 'download'
  | 'paused'
  | 'resumed'
  | 'verify'
  | 'activate'
  | 'trial'
  | 'confirmed'
  | 'rolled-back'
  | 'refused'
  | 'failed'
  | 'power-cut'
  | 'reboot';

export type WorldEvent =
  | { kind: 'phase'; t: number; phase: WorldPhase; detail?: string }
  | { kind: 'progress'; t: number; offset: number; total: number; battery?: number };

export interface WorldResult {
  outcome: 'confirmed' | 'rolled-back' | 'refused' | 'failed';
  fromVersion: number;
  /** The served image's file version. */
  toVersion: number;
  /** The confirmed version in the boot record at the end. */
  runningVersion: number;
  /** Image data the CH served in successful Image Block Responses (frames lost on the way included). */
  bytes: number;
  /** Image Block Requests the device sent, over all boots. */
  blockRequests: number;
  /** Block requests beyond the lossless minimum ⌈image size / 50⌉ (losses, resumes, re-offers). */
  retries: number;
  powerCuts: number;
  bricked: boolean;
  /** Sector erases and program operations on the chip since the factory (bootloader's included). */
  flashErases: number;
  flashWrites: number;
  /** Program operations in the two journal sectors (two per record: header and body, then the commit word; rotations copy records). */
  journalWrites: number;
  virtualSeconds: number;
  /** The CS02b answer to `credential`, when one was sent. */
  credentialAnswer?: number;
}

/** The CH's block size (zigbee-herdsman's default). */
const BLOCK_SIZE = 50;
/** Scheduler events one run may take (a step bound, never wall time). */
const MAX_EVENTS = 3_000_000;
/** Virtual time one run may take. */
const MAX_VIRTUAL_MS = 30 * 24 * 3600_000;
/** Flash operations a resume can redo (a sector's programs, its erase, records): cuts closer than twice this would stall the update. */
const MIN_CUT_GAP = 48;
const TIMED_CUT = 'power cut at a virtual time';

export function runUpdateWorld(options: WorldOptions, onEvent?: (e: WorldEvent) => void): WorldResult {
  const run = new UpdateRun(options, onEvent);
  return run.run();
}

/** One cut at an absolute flash-operation index of the chip (the sweep's placement). */
export interface PlacedCut {
  at: number;
  torn: boolean;
}

export interface TracedResult extends WorldResult {
  /** Flash operations from power-on to the end of the run (the chip's count: the factory's come first). */
  ops: number;
  /** The chip's operation count when the device first powered on (indices below it are the factory's). */
  firstOp: number;
  /** Flash operation index at which the agent started activating (undefined when it never did). */
  opsAtActivate: number | undefined;
  /** Reports of every boot, in order (those of the reboots after the run included). */
  reports: Report[];
  /** Caller bugs the chip recorded (unaligned, programming non-erased bytes, out of range): none expected. */
  misuse: string[];
  /** What the flash holds at the end (after the reboots asked for), read from a copy of the chip. */
  final: FinalState;
  /** Erases of each sector since the factory handed the chip over (index = absolute sector). */
  sectorErases: number[];
  layout: StorageLayout;
}

/** The durable state a finished update leaves, for the sweeps' oracles. */
export interface FinalState {
  record: BootRecord | undefined;
  /** A download-progress record stands in the journal. */
  progress: boolean;
  /** An ARMED record (an activation whose outcome is not yet reported) stands in the journal. */
  armed: boolean;
  /** The journal could not be opened on the copy (it would have been formatted). */
  journalError?: string;
}

/** After a traced run: let the last boot settle, then power-cycle the idle device `reboots` times (each boot settles too). */
export interface AfterRun {
  reboots?: number;
}

/** Virtual time a boot is given to finish its boot check, reports and journal clean-up. */
const SETTLE_MS = 60_000;

/**
 * Like runUpdateWorld, with the trace a sweep needs: the cuts placed by the caller
 * (`powerCuts` is then ignored) or `'seeded'` (runUpdateWorld's spread of `powerCuts`),
 * another flash part if asked, and power cycles after the run.
 */
export function traceUpdateWorld(
  options: WorldOptions,
  cuts: readonly PlacedCut[] | 'seeded',
  onEvent?: (e: WorldEvent) => void,
  flash?: FlashProfile,
  after: AfterRun = {},
): TracedResult {
  const run =
    cuts === 'seeded'
      ? new UpdateRun(options, onEvent, false, undefined, flash)
      : new UpdateRun({ ...options, powerCuts: cuts.length }, onEvent, false, cuts, flash);
  const result = run.run();
  const w = run.world;
  const ops = w.media.ops;
  settle(w);
  for (let i = 0; i < (after.reboots ?? 0) && !w.halted; i++) {
    w.current?.cut('power cycle after the update');
    w.boot();
    settle(w);
  }
  return {
    ...result,
    ops,
    firstOp: w.baseline.ops,
    opsAtActivate: run.opsAtActivate,
    reports: w.reports.map((r) => r.report),
    misuse: [...w.media.misuse],
    final: finalState(w),
    sectorErases: Array.from(w.media.eraseCount, (n, i) => n - w.baseline.sectorErases[i]),
    layout: w.layout,
  };
}

function settle(w: World): void {
  w.media.disarm();
  if (!w.halted && w.current?.alive) w.scheduler.advanceTo(w.scheduler.now + SETTLE_MS);
}

/** Reads the boot record and the journal from a copy of the chip (opening a journal may write: never on the real one). */
export function finalState(w: World): FinalState {
  const probe = w.chipCopy().attach(new PowerRail());
  let record: BootRecord | undefined;
  try {
    record = readBootRecord(probe, w.layout);
  } catch {
    record = undefined;
  }
  try {
    const journal = Journal.open(probe, w.layout);
    return { record, progress: readDownloadProgress(journal) !== undefined, armed: readArmed(journal) !== undefined };
  } catch (e) {
    return { record, progress: false, armed: false, journalError: e instanceof Error ? e.message : String(e) };
  }
}

/** SHA-256 of the Manufacturer Image (what a CS06 command names): the sub-elements after the OTA header, up to the GBCS trailer. */
export function manufacturerImageHash(file: Uint8Array): Uint8Array {
  const start = readU16(file, 6);
  let offset = start;
  for (let i = 0; i < 4 && offset + 6 <= file.length; i++) {
    const tag = readU16(file, offset);
    offset += 6 + readU32(file, offset + 2);
    if (tag === 0x0000) break;
  }
  const h = nobleSha256.create();
  h.update(file.subarray(start, Math.min(offset, file.length)));
  return h.digest();
}

class UpdateRun {
  private credentialAnswer: number | undefined;
  readonly world: World;
  readonly rng: Rng;
  private readonly emit: (e: WorldEvent) => void;
  private readonly fromVersion: number;
  private readonly toVersion: number;
  private bytes = 0;
  private cutsDone = 0;
  private cutsArmed = false;
  private timedCut = false;
  private idle = false;
  private opCuts = 0;
  private readonly opSlots: number;
  private readonly gap: number;
  private lastProgress = -1;
  private commandSentFor: AgentDevice | undefined;
  private readonly hash: Uint8Array;
  opsAtActivate: number | undefined;
  /** Reports read so far, and what they said. */
  private seen = 0;
  private confirmedSeen = false;
  private failureSeen = false;
  private refusedSeen: string | undefined;

  constructor(
    private readonly options: WorldOptions,
    onEvent: ((e: WorldEvent) => void) | undefined,
    /** A follow-up run (the bricked check's) does not check itself again. */
    private readonly followUp = false,
    /** Cuts at fixed flash-operation indices instead of the seeded spread. */
    private readonly placed?: readonly PlacedCut[],
    flash?: FlashProfile,
  ) {
    const image = options.image;
    this.emit = (e) => {
      try {
        onEvent?.(e);
      } catch {
        // an observer never stops the run
      }
    };
    this.fromVersion = options.currentVersion;
    this.toVersion = readU32(image, 14);
    this.hash = manufacturerImageHash(image);
    this.rng = new Rng((options.seed ^ 0x51a7e) >>> 0);
    const bankSize = Math.max(64 * 1024, Math.ceil(image.length / 4096) * 4096);
    const loss = { ...CLEAN, loss: options.loss };
    this.world = new World({
      seed: options.seed,
      trust: options.trustStore,
      manufacturerCode: readU16(image, 10),
      imageType: readU16(image, 12),
      hardwareVersion: options.hardwareVersion,
      currentVersion: options.currentVersion,
      bankSize,
      battery: options.battery ? DEFAULT_BATTERY : undefined,
      flash,
      link: { up: loss, down: loss },
      policy: options.policy,
      media: options.media,
      server: {
        blockSize: BLOCK_SIZE,
        upgradeTime: options.activation === 'command' ? UPGRADE_TIME_WAIT_FOR_COMMAND : 0,
        currentTime: 0,
      },
    });
    this.world.ch.images.push(servedImage(image));
    this.world.ch.behaviour = this.counting(HONEST);
    options.onWorld?.(this.world);
    this.world.trialBehaviour = (v) => (v === this.toVersion ? (options.selfTest ?? 'pass') : 'pass');
    this.world.onPhase = (p, d) => {
      if (p === 'activate' && this.opsAtActivate === undefined) this.opsAtActivate = this.world.media.ops;
      if (p === 'deferred') this.phase('paused', d ?? 'activation deferred');
      else this.phase(p, d);
    };
    // Expected flash operations of a clean update: payload programs (256-byte pieces), erases, records, boot writes.
    const expected = Math.ceil(image.length / 256) + 2 * Math.ceil(image.length / 4096) + 24;
    this.gap = Math.max(MIN_CUT_GAP, Math.floor(expected / (options.powerCuts + 1)));
    this.opSlots = Math.max(1, Math.floor(expected / this.gap));
  }

  run(): WorldResult {
    const w = this.world;
    let outcome: WorldResult['outcome'] | undefined;
    this.bootNext(false);
    let events = 0;
    while (!outcome) {
      const d = w.current;
      if (w.halted) {
        outcome = 'failed';
        this.phase('failed', 'the bootloader found no bootable bank');
        break;
      }
      if (!d || !d.alive) {
        this.afterDeath(d);
        continue;
      }
      outcome = this.outcome();
      if (outcome) break;
      this.maybeCommand(d);
      this.maybeCredential(d);
      if (!w.scheduler.step() || ++events > MAX_EVENTS || w.scheduler.now > MAX_VIRTUAL_MS) {
        outcome = 'failed';
        this.phase(
          'failed',
          this.bytes === 0
            ? 'no image was ever downloaded (the CH offers none newer for this device)'
            : 'the update did not end within the step bound',
        );
        break;
      }
      this.progress(d);
    }
    w.media.disarm();
    if (!this.placed && !w.halted) this.idleCuts();
    w.media.disarm();
    return this.result(outcome);
  }

  /** The outcome, once the reports and the boot record say it. */
  private outcome(): WorldResult['outcome'] | undefined {
    const w = this.world;
    const d = w.current!;
    for (let i = this.seen; i < w.reports.length; i++) {
      const r = w.reports[i].report;
      if (r.kind === 'activation' && r.success && r.version === this.toVersion) this.confirmedSeen = true;
      if (r.kind === 'activation' && !r.success) this.failureSeen = true;
      if (r.kind === 'verification' && r.alertCode === 0x8f1c) this.refusedSeen = r.errorCode;
    }
    this.seen = w.reports.length;
    const state = d.agent.ctx.state;
    if (this.confirmedSeen && state === 'idle') return 'confirmed';
    if (this.failureSeen && state === 'idle' && w.bootRecord()?.refused?.version === this.toVersion)
      return 'rolled-back';
    if (this.refusedSeen && state === 'idle') return 'refused';
    return undefined;
  }

  /** Holding the image and told to wait for a command: the supplier sends CS06 with the right hash. */
  private maybeCommand(d: AgentDevice): void {
    if (this.options.activation !== 'command' || this.commandSentFor === d || !d.agent.held) return;
    this.commandSentFor = d;
    this.world.scheduler.after(30_000, () => d.command(this.hash), d.rail);
  }

  /** The replacement command, relayed once when its moment comes (a refusal is an answer too). */
  private maybeCredential(d: AgentDevice): void {
    const c = this.options.credential;
    if (!c || this.credentialAnswer !== undefined) return;
    const state = d.agent.ctx.state;
    const due =
      c.at === 'idle' ? state === 'idle' : state === 'downloading' && d.fileOffset() * 2 >= this.options.image.length;
    if (!due) return;
    this.credentialAnswer = d.credentialCommand(c.command);
    if (this.credentialAnswer !== undefined)
      this.phase(
        this.credentialAnswer === 0 ? 'credentials' : 'refused',
        `credential replacement answered ${this.credentialAnswer}`,
      );
  }

  private afterDeath(d: AgentDevice | undefined): void {
    const reason = d?.rail.reason ?? this.world.lastDeadRail?.reason ?? 'power cut';
    const ours = this.world.media.cutFired || reason === TIMED_CUT;
    if (ours) {
      this.world.media.cutFired = false;
      this.cutsDone++;
      this.cutsArmed = false;
      this.timedCut = false;
      this.phase('power-cut', `${this.cutsDone}/${this.options.powerCuts}: ${reason}`);
    }
    this.bootNext(true, ours ? undefined : reason);
  }

  private bootNext(reboot: boolean, reason?: string): void {
    if (reboot) this.phase('reboot', reason);
    this.armCut();
    const d = this.world.boot();
    if (d && this.timedCut) {
      // Early in the boot (boot check, query, the first blocks of a resume): nothing durable is lost.
      this.world.scheduler.after(1000 + Math.floor(this.rng.next() * 11_000), () => d.cut(TIMED_CUT), d.rail);
    }
  }

  /**
   * Arms the next cut. Flash-operation cuts spread over the update (`gap` apart on
   * average, never closer than a resume's rework); when more cuts are asked than the
   * update has room for that way, the others fall early in non-trial boots, at seeded
   * virtual times, where they cost no progress.
   */
  private armCut(): void {
    if (this.idle || this.cutsDone >= this.options.powerCuts || this.cutsArmed) return;
    if (this.placed) {
      const next = this.placed[this.cutsDone];
      // A placed cut the run has already passed can no longer happen: it is dropped, not moved.
      if (next.at < this.world.media.ops) return;
      this.world.media.cutPowerAt(next.at, { torn: next.torn });
      this.cutsArmed = true;
      return;
    }
    this.cutsArmed = true;
    const remaining = this.options.powerCuts - this.cutsDone;
    const opSlotsLeft = Math.max(0, this.opSlots - this.opCuts);
    const trialNext = this.world.bootRecord()?.state === 'trial';
    if (!trialNext && !this.updateEnded() && this.rng.next() >= opSlotsLeft / remaining) {
      this.timedCut = true;
      return;
    }
    this.opCuts++;
    const at = this.world.media.ops + Math.max(1, Math.floor(this.gap / 2 + this.rng.next() * this.gap));
    this.world.media.cutPowerAt(at, { torn: this.rng.chance(0.5) });
  }

  /** The new version is confirmed or refused for good: nothing of the update is left to cut. */
  private updateEnded(): boolean {
    const r = this.world.bootRecord();
    return !r || r.confirmed.version === this.toVersion || r.refused?.version === this.toVersion;
  }

  /** Cuts still owed after the run ended fall on the idle device; each reboot must boot the same image. */
  private idleCuts(): void {
    const w = this.world;
    // From here the cuts are these: none armed on flash operations or at boot times any more.
    this.idle = true;
    this.timedCut = false;
    this.cutsArmed = false;
    w.media.disarm();
    let guard = 0;
    while (this.cutsDone < this.options.powerCuts && guard++ < 10 * this.options.powerCuts + 10) {
      const d = w.current;
      if (!d || !d.alive) {
        this.bootNext(true);
        if (w.halted) return;
        continue;
      }
      w.scheduler.advanceTo(w.scheduler.now + 1000 + Math.floor(this.rng.next() * 60_000));
      if (!d.alive) continue; // a restart of its own; boot again
      d.cut('power cut');
      this.cutsDone++;
      this.phase('power-cut', `${this.cutsDone}/${this.options.powerCuts}: idle`);
      this.bootNext(true);
    }
    // Let the last boot finish its boot check and reports.
    w.scheduler.advanceTo(w.scheduler.now + 60_000);
  }

  private progress(d: AgentDevice): void {
    const total = this.options.image.length;
    const offset = d.fileOffset();
    if (offset === this.lastProgress) return;
    if (this.lastProgress >= 0 && Math.abs(offset - this.lastProgress) < total / 100 && offset !== total) return;
    this.lastProgress = offset;
    const e: WorldEvent = { kind: 'progress', t: this.world.scheduler.now / 1000, offset, total };
    if (this.world.battery) e.battery = Math.round(this.world.battery.percent() * 10) / 10;
    this.emit(e);
  }

  private phase(phase: WorldPhase, detail?: string): void {
    const e: WorldEvent = { kind: 'phase', t: this.world.scheduler.now / 1000, phase };
    if (detail !== undefined) e.detail = detail;
    this.emit(e);
    this.lastProgress = -1;
  }

  private counting(inner: Behaviour): Behaviour {
    return {
      name: `counting ${inner.name}`,
      respond: (exchange) => {
        const h = exchange.honest;
        if (h && h.name === 'imageBlockResponse' && h.status === 0) this.bytes += h.data.length;
        return inner.respond(exchange);
      },
    };
  }

  private result(outcome: WorldResult['outcome']): WorldResult {
    const w = this.world;
    const record = w.bootRecord();
    const blockRequests = w.blockRequests();
    return {
      outcome,
      fromVersion: this.fromVersion,
      toVersion: this.toVersion,
      runningVersion: record?.confirmed.version ?? 0,
      bytes: this.bytes,
      blockRequests,
      retries: Math.max(0, blockRequests - Math.ceil(this.options.image.length / BLOCK_SIZE)),
      powerCuts: this.cutsDone,
      bricked: this.bricked(outcome),
      flashErases: w.erases() - w.baseline.erases,
      flashWrites: w.programs() - w.baseline.programs,
      journalWrites: w.journalPrograms() - w.baseline.journalPrograms,
      virtualSeconds: Math.round(w.scheduler.now / 1000),
      ...(this.credentialAnswer !== undefined ? { credentialAnswer: this.credentialAnswer } : {}),
    };
  }

  /**
   * Bricked: the bootloader finds no bootable bank on a copy of the final chip, or (for an
   * update that was offered and did not end) a clean update from that chip, without cuts
   * or loss, fails.
   */
  private bricked(outcome: WorldResult['outcome']): boolean {
    const w = this.world;
    const copy = w.chipCopy(this.options.seed);
    if (bootloader(copy.attach(new PowerRail()), w.layout).boot().kind === 'halt') return true;
    // Only an update that was offered and did not end says something about the device's ability to update.
    if (outcome !== 'failed' || this.followUp || this.bytes === 0) return false;
    const again = runFrom(copy, this.options);
    return again !== 'confirmed' && again !== 'rolled-back' && again !== 'refused';
  }
}

/** A clean run (no cuts, no loss) of the same update from an existing chip. */
function runFrom(media: FlashMedia, o: WorldOptions): WorldResult['outcome'] {
  const run = new UpdateRun({ ...o, loss: 0, powerCuts: 0 }, undefined, true, undefined, media.profile);
  // Swap in the chip: the same layout, its bytes as the failed run left them.
  run.world.media.copyFrom(media);
  return run.run().outcome;
}
