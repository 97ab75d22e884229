/**
 * The executor of the lifecycle table (lifecycle.ts): it reads what the bootloader did,
 * drives the OTA client, the update sink, activation, the trial's self-test and the
 * confirmation, and turns every result back into a lifecycle event. `step` decides; this
 * file only does the I/O.
 *
 * Boot: the boot record says whether this is a trial; the ARMED journal record says
 * whether an activation was attempted before, so a revert (or an interrupted arming, or
 * a confirmation whose report a cut swallowed) is reported exactly once it is known. The
 * running bank is hashed against its boot-record slot (and its metadata manifest, when it
 * has one) at every power-on.
 *
 * Every port call may throw: each is guarded, turned into an OtaError code kept in a
 * bounded ring (`recentErrors`), and the lifecycle goes on. Nothing leaves `start()`, a
 * timer callback, a frame handler or the activation handler as a throw.
 */
import { asOtaError, OtaError } from '../errors.js';
import type { TrustStore } from '../pki/api.js';
import { ActivationResponse, type ActivationCommand, type ActivationResponseCode, type Ports, type Report } from '../ports.js';
import { acknowledgeBootEvent, activateTrial, bootEvent, bootStatus, confirmTrial, type TrialOptions } from '../storage/boot-control.js';
import type { ImageSlot } from '../storage/boot-record.js';
import { Journal } from '../storage/journal.js';
import { makeLayout, type LayoutConfig, type StorageLayout } from '../storage/layout.js';
import { encodeOtaFrame } from '../zigbee/ota-frames.js';
import { OtaStatus } from '../zigbee/ota-constants.js';
import { decideActivationCommand, powerAllowsActivation, type ActivationTrigger } from './activation.js';
import { radioRejoined, storageReadable, trustStoreIntact } from './default-checks.js';
import { readArmed, recordArmed } from './held-record.js';
import type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from './image-sink.js';
import { initialContext, step, type AgentAction, type AgentContext, type AgentEvent } from './lifecycle.js';
import { DEFAULT_CLIENT_TIMING, type DownloadOutcome, type OtaClientConfig } from './ota-client.js';
import { OtaDriver } from './ota-driver.js';
import { DEFAULT_POWER_POLICY, type PowerPolicy } from './power-policy.js';
import { DEFAULT_RETRY_POLICY, failureKind, RetryTracker, type RetryPolicy } from './retry-policy.js';
import { runningImageMatches } from './running-image.js';
import { runSelfTest, type SelfTestCheck } from './self-test.js';
import { UpdateSink, isImageRefusal, type HeldBankImage } from './update-sink.js';
import { upgradeEndTrigger } from './unsolicited-end.js';
import { CredentialUpdater } from './credential-update.js';
import { loadCredentials, repairJournalCopy } from './credential-store.js';
import { readCredentials, type CredentialReadout } from '../pki/credential-readout.js';

/** What the agent tells an observer (logs, the emulator's timeline); never needed to run. */
export type AgentPhase = 'query' | 'download' | 'paused' | 'resumed' | 'verify' | 'activate' | 'trial' | 'confirmed' | 'rolled-back' | 'refused' | 'deferred';

export interface AgentConfig {
  layout: LayoutConfig;
  /** The provisioned credentials; a set replaced since (credential-store.ts) takes their place at start. */
  trust: TrustStore;
  /** The device's EUI-64, when the build knows it: credential commands must then name it. */
  deviceId?: Uint8Array;
  manufacturerCode: number;
  imageType: number;
  hardwareVersion: number;
  /** OTA client timing (defaults: DEFAULT_CLIENT_TIMING). */
  client?: Partial<Omit<OtaClientConfig, 'capacity' | 'manufacturerCode' | 'imageType' | 'currentFileVersion' | 'hardwareVersion'>>;
  policy?: PowerPolicy;
  /** Uniform [0, 1): the platform's RNG (query jitter). */
  random: () => number;
  selfTest?: {
    /** The vendor's checks, run after the default ones. */
    vendor?: SelfTestCheck[];
    /** The whole self-test must pass within this (default 300 s; below the trial watchdog). */
    deadlineMs?: number;
    /** How often the radio check looks for a server frame (default 1 s). */
    radioPollMs?: number;
  };
  trial?: TrialOptions;
  /** Bounded retries and back-off after local faults and transfer mismatches (defaults: DEFAULT_RETRY_POLICY). */
  retry?: Partial<RetryPolicy>;
  onPhase?: (phase: AgentPhase, detail?: string) => void;
}

const ERROR_RING = 16;
const REFUSED_OFFERS = 4;
/** Activation attempts retried after the boot record could not be armed (each one reported). */
const ARM_RETRIES = 3;
/** Below the boot record's default trial window (600 s), so the agent decides before the watchdog does. */
const DEFAULT_SELF_TEST_MS = 300_000;

function sameOffer(a: ImageIdentity, b: ImageIdentity): boolean {
  return a.manufacturerCode === b.manufacturerCode && a.imageType === b.imageType && a.fileVersion === b.fileVersion && a.imageSize === b.imageSize;
}

export class Agent {
  readonly ctx: AgentContext = initialContext();
  readonly recentErrors: string[] = [];
  layout: StorageLayout | undefined;
  sink: UpdateSink | undefined;
  driver: OtaDriver | undefined;
  /** ZCL frames from the server since this boot (the self-test's radio check). */
  framesSinceBoot = 0;
  private readonly queue: AgentEvent[] = [];
  private running = false;
  private deliver: ((frame: Uint8Array) => void) | undefined;
  private recheck: number | undefined;
  private paused = false;
  private lastStatus = -1;
  /** An Upgrade End Response named the held image: no need to ask for one again. */
  private endAnswered = false;
  private armFailures = 0;
  /** Set by the boot check when an earlier activation's outcome is known (and reported by the booted row). */
  private knownOutcome: { forgetDownload: boolean } | undefined;
  /** Offers whose image was refused (or given up after a persistent local fault) this boot (bounded). */
  private readonly refusedOffers: ImageIdentity[] = [];
  /** Failures that may pass (a local fault, bytes that missed the manifest): counted per image, backed off, bounded. */
  private retry = new RetryTracker(DEFAULT_RETRY_POLICY);
  /** The credentials in force: this agent's own copy, shared with the sink, replaced in place (credential-update.ts). */
  private readonly trust: TrustStore;
  private credentialUpdater: CredentialUpdater | undefined;

  constructor(
    private readonly ports: Ports,
    private readonly config: AgentConfig,
  ) {
    this.trust = { ...config.trust, cells: { ...config.trust.cells } };
  }

  /** Boot check, then the lifecycle runs on frames, timers and commands. Never throws. */
  start(): void {
    try {
      this.retry = new RetryTracker({ ...DEFAULT_RETRY_POLICY, ...this.config.retry });
    } catch (e) {
      this.note(asOtaError(e, 'AGENT_CONFIG')); // the defaults stand
    }
    try {
      this.layout = makeLayout(this.ports.flash, this.config.layout);
    } catch (e) {
      this.note(asOtaError(e, 'AGENT_LAYOUT'));
      return;
    }
    this.guard('TRANSPORT_FAILED', () => this.ports.transport.onReceive((f) => this.onFrame(f)));
    this.guard('ACTIVATION_PORT_FAILED', () => this.ports.activation.onCommand((c) => this.onCommand(c)));
    this.startCredentials();
    this.post(this.bootCheck());
    this.reportBootEvent();
    // Only once the outcome is reported is ARMED cleared: a cut in between reports it again at the next boot.
    if (this.knownOutcome !== undefined) this.afterActivationKnown(this.knownOutcome.forgetDownload);
  }

  /** The verified image waiting for activation, if any. */
  get held(): HeldBankImage | undefined {
    return this.ctx.state === 'awaiting-activation' ? this.sink?.held : undefined;
  }

  // ---------------------------------------------------------------------- boot check

  private bootCheck(): AgentEvent {
    const layout = this.layout!;
    let status;
    try {
      status = bootStatus(this.ports, layout);
    } catch (e) {
      this.note(asOtaError(e, 'BOOT_RECORD_CORRUPT'));
      return { type: 'booted', trial: false, reverted: false, runningImageOk: false, runningVersion: 0 };
    }
    const trial = status.kind === 'trial';
    const slot: ImageSlot = status.kind === 'trial' ? status.image : status.record.confirmed;
    const runningImageOk = status.kind !== 'inconsistent' && this.runningImageOk(slot);
    let armed;
    try {
      armed = readArmed(Journal.open(this.ports.flash, layout));
    } catch (e) {
      this.note(asOtaError(e, 'JOURNAL_READ'));
    }
    const event: AgentEvent = { type: 'booted', trial, reverted: false, runningImageOk, runningVersion: slot.version };
    if (!trial && armed) {
      if (armed.fileVersion === slot.version) {
        event.confirmedUnreported = true;
        this.knownOutcome = { forgetDownload: true };
      } else {
        event.reverted = true;
        event.revertedVersion = armed.fileVersion;
        const refused = status.record.refused?.version === armed.fileVersion;
        // A reverted image is refused from now on: forget its download. An arming cut short keeps it, to activate again.
        this.knownOutcome = { forgetDownload: refused };
      }
    }
    if (trial) this.phase('trial', `version 0x${slot.version.toString(16)}`);
    if (event.reverted) this.phase('rolled-back', `back to 0x${slot.version.toString(16)}`);
    return event;
  }

  /**
   * The bootloader started the fallback (the confirmed image failed its check) or rebuilt a
   * lost boot record from the banks' metadata: the supplier hears of it (0x8F1B, docs/REPORTS.md),
   * then the event is cleared; a cut in between reports it again at the next boot.
   */
  private reportBootEvent(): void {
    let event;
    try {
      event = bootEvent(this.ports, this.layout!);
    } catch {
      return; // an unreadable record is already noted by the boot check
    }
    if (!event) return;
    this.report({ kind: 'verification', alertCode: 0x8f1b, errorCode: event === 'fell-back' ? 'BOOT_FELL_BACK' : 'BOOT_RECORD_REBUILT' });
    this.guard('BOOT_RECORD_WRITE', () => acknowledgeBootEvent(this.ports, this.layout!));
  }

  private runningImageOk(slot: ImageSlot): boolean {
    try {
      return runningImageMatches(this.ports, this.layout!, slot);
    } catch (e) {
      this.note(asOtaError(e, 'BOOT_IMAGE_CHECK'));
      return false;
    }
  }

  /** The activation's outcome is known: ARMED is cleared, and the download too when it is finished with. */
  private afterActivationKnown(forgetDownload: boolean): void {
    this.guard('JOURNAL_WRITE', () => {
      const journal = Journal.open(this.ports.flash, this.layout!);
      recordArmed(journal, undefined);
    });
    if (forgetDownload) this.guard('JOURNAL_WRITE', () => this.makeSink(0).discard());
  }

  // ---------------------------------------------------------------------- lifecycle

  private post(event: AgentEvent): void {
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        const before = this.ctx.state;
        const actions = step(this.ctx, e);
        for (const a of actions) this.perform(a);
        if (before === 'boot-check' && this.ctx.state !== 'boot-check') this.startDriver();
      }
    } catch (e) {
      this.note(asOtaError(e, 'AGENT_INTERNAL'));
    } finally {
      this.running = false;
      this.queue.length = 0;
    }
  }

  private perform(a: AgentAction): void {
    switch (a.do) {
      case 'report':
        return this.report(a.report);
      case 'start-download':
        this.phase('download');
        return;
      case 'finish-verification': {
        this.phase('verify');
        const held = this.sink?.held;
        this.queue.push(held ? { type: 'verified', held } : { type: 'verify-failed', code: 'SINK_NOT_VERIFIED' });
        return;
      }
      case 'schedule-activation':
        this.setTimer(a.delayMs, () => this.tryActivate());
        return;
      case 'try-activate':
        return this.tryActivate(true);
      case 'arm-trial-and-restart':
        return this.armTrial();
      case 'run-self-test':
        return this.selfTest();
      case 'confirm':
        return this.confirm();
      case 'restart':
        return this.restart();
      case 'discard-download':
        this.guard('JOURNAL_WRITE', () => this.sink?.discard());
        return;
    }
  }

  private report(r: Report): void {
    if (r.kind === 'upgrade-status') {
      if (r.status === this.lastStatus) return;
      this.lastStatus = r.status;
    }
    if (r.kind === 'activation' && r.atUnixSeconds === undefined) {
      try {
        const t = this.ports.clock.wallTime();
        if (t?.trusted) r = { ...r, atUnixSeconds: t.unixSeconds };
      } catch {
        // no trusted time: the alert goes without one
      }
    }
    if (r.kind === 'verification' && r.alertCode === 0x8f1c) this.phase('refused', r.errorCode);
    try {
      this.ports.reporter.report(r);
    } catch (e) {
      this.note(asOtaError(e, 'REPORT_DROPPED'));
    }
  }

  // ---------------------------------------------------------------------- download

  private makeSink(runningVersion: number): UpdateSink {
    return new UpdateSink(this.ports, this.layout!, this.trust, {
      manufacturerCode: this.config.manufacturerCode,
      imageType: this.config.imageType,
      hardwareVersion: this.config.hardwareVersion,
      currentVersion: runningVersion,
    });
  }

  private startDriver(): void {
    const sink = this.makeSink(this.ctx.runningVersion);
    this.sink = sink;
    const watched: ImageSink = {
      capacity: () => sink.capacity(),
      begin: (image: ImageIdentity) => {
        // An offer refused this boot is not fetched again every query interval (nor reported again).
        if (this.refusedOffers.some((r) => sameOffer(r, image))) throw new OtaError('AGENT_OFFER_REFUSED_BEFORE', `version 0x${image.fileVersion.toString(16)} was refused this boot`);
        const wait = this.retry.waitFor(image, this.nowMs());
        if (wait > 0) throw new OtaError('AGENT_RETRY_BACKOFF', `version 0x${image.fileVersion.toString(16)} is tried again in ${Math.ceil(wait / 1000)} s`);
        const offset = sink.begin(image);
        if (this.ctx.state === 'idle') this.post({ type: 'image-offered' });
        return offset;
      },
      write: (offset: number, bytes: Uint8Array): SinkWriteResult => {
        if (this.paused) {
          this.paused = false;
          this.phase('resumed');
        }
        return sink.write(offset, bytes);
      },
      approveErase: () => sink.approveErase(),
      persist: () => sink.persist(),
      end: (): SinkEndResult => sink.end(),
    };
    const timing = { ...DEFAULT_CLIENT_TIMING, ...this.config.client };
    try {
      // The driver's receiver sits behind the agent's: the agent sees every frame first.
      const transport = {
        send: (f: Uint8Array) => this.ports.transport.send(f),
        onReceive: (h: (f: Uint8Array) => void) => {
          this.deliver = h;
        },
      };
      const p = this.ports;
      // ImageUpgradeStatus has one source, the lifecycle table: the client's own status changes are not forwarded.
      const reporter = { report: (r: Report) => (r.kind === 'upgrade-status' ? undefined : this.report(r)) };
      this.driver = new OtaDriver({ transport, clock: p.clock, power: p.power, reporter }, watched, {
        client: {
          ...timing,
          manufacturerCode: this.config.manufacturerCode,
          imageType: this.config.imageType,
          currentFileVersion: this.ctx.runningVersion,
          hardwareVersion: this.config.hardwareVersion,
        },
        policy: this.config.policy ?? DEFAULT_POWER_POLICY,
        random: this.config.random,
        onFinished: (o) => this.onDownloadFinished(o),
        onEvent: (a) => {
          if (a.kind === 'paused') {
            this.paused = true;
            this.phase('paused', a.reason);
          }
        },
      });
    } catch (e) {
      this.note(asOtaError(e, 'DRIVER_CONFIG'));
      return;
    }
    this.phase('query');
    this.driver.start();
  }

  private onDownloadFinished(o: DownloadOutcome): void {
    if (o.kind === 'aborted') {
      const kind = failureKind(o.error.code);
      if (kind) return this.onRetriableFailure(o.image, kind, o.error.code);
      const refused = o.upgradeEndStatus === OtaStatus.invalidImage || isImageRefusal(o.error);
      if (refused) {
        this.refusedOffers.push({ ...o.image });
        if (this.refusedOffers.length > REFUSED_OFFERS) this.refusedOffers.shift();
      }
      this.post({ type: 'download-failed', code: o.error.code, refused });
      return;
    }
    this.retry.succeeded(o.image);
    this.post({ type: 'download-complete' });
    if (o.unanswered) this.askForUpgradeEnd(o.image);
    const trigger: ActivationTrigger = o.activation === 'on-command' ? { kind: 'command' } : o.delayMs > 0 ? { kind: 'after', delayMs: o.delayMs } : { kind: 'now' };
    this.post({ type: 'upgrade-end', trigger });
  }

  /**
   * A local fault or a transfer mismatch (retry-policy.ts): counted, backed off, bounded.
   * Each transfer mismatch is reported (0x8F1C with its code) and the next offer downloads
   * the image again from the start; a local fault is reported once, when the image is
   * given up. Given up or refused, the image waits for a new offer or a reboot.
   */
  private onRetriableFailure(image: ImageIdentity, kind: 'local' | 'transfer', code: string): void {
    const offset = this.driver?.client.fileOffset ?? 0;
    const d = this.retry.fail(image, kind, offset, this.nowMs());
    if (d.giveUp) {
      this.refusedOffers.push({ ...image });
      if (this.refusedOffers.length > REFUSED_OFFERS) this.refusedOffers.shift();
    }
    if (kind === 'transfer') this.post({ type: 'download-failed', code, refused: true });
    else this.post({ type: 'download-failed', code, gaveUp: d.giveUp });
  }

  private nowMs(): number {
    try {
      return this.ports.clock.monotonicMs();
    } catch (e) {
      this.note(asOtaError(e, 'CLOCK_FAILED'));
      return 0;
    }
  }

  private onFrame(frame: Uint8Array): void {
    this.framesSinceBoot++;
    if (this.ctx.state === 'awaiting-activation') this.unsolicitedEnd(frame);
    const h = this.deliver;
    if (h) {
      try {
        h(frame);
      } catch (e) {
        this.note(asOtaError(e, 'DRIVER_INTERNAL'));
      }
    }
  }

  /**
   * The server never answered the Upgrade End Request: ask again every query interval
   * while the image waits, so its answer (taken as unsolicited) can still activate it.
   */
  private askForUpgradeEnd(image: ImageIdentity): void {
    const interval = this.config.client?.queryIntervalMs ?? DEFAULT_CLIENT_TIMING.queryIntervalMs;
    this.setTimer(interval, () => {
      if (this.endAnswered || this.ctx.state !== 'awaiting-activation' || this.sink?.held?.fileVersion !== image.fileVersion) return;
      this.guard('TRANSPORT_SEND_FAILED', () => {
        this.pingSequence = (this.pingSequence + 1) & 0xff;
        this.ports.transport.send(
          encodeOtaFrame({
            sequence: 0x80 | (this.pingSequence & 0x7f),
            command: { name: 'upgradeEndRequest', status: OtaStatus.success, manufacturerCode: image.manufacturerCode, imageType: image.imageType, fileVersion: image.fileVersion },
          }),
        );
      });
      this.askForUpgradeEnd(image);
    });
  }

  /** An Upgrade End Response naming the held image counts whenever it comes (SECMP0007). */
  private unsolicitedEnd(frame: Uint8Array): void {
    const held = this.sink?.held;
    if (!held) return;
    const trigger = upgradeEndTrigger(frame, { manufacturerCode: this.config.manufacturerCode, imageType: this.config.imageType, fileVersion: held.fileVersion });
    if (!trigger) return;
    this.endAnswered = true;
    this.post({ type: 'upgrade-end', trigger });
  }

  // ---------------------------------------------------------------------- activation

  private onCommand(command: ActivationCommand): ActivationResponseCode {
    try {
      const decision = decideActivationCommand(this.held, command);
      if (!decision.accept) return decision.response;
      let delayMs = 0;
      if (command.atUnixSeconds !== undefined) {
        const t = this.ports.clock.wallTime();
        if (t) delayMs = Math.max(0, (command.atUnixSeconds - t.unixSeconds) * 1000);
      }
      // Answer first; the activation (which restarts the device) follows from a timer.
      this.setTimer(delayMs, () => this.post({ type: 'activation-accepted' }));
      return ActivationResponse.success;
    } catch (e) {
      this.note(asOtaError(e, 'ACTIVATION_FAILED'));
      return ActivationResponse.activationFailure;
    }
  }

  /**
   * Activates now if the supply allows; otherwise reports the deferral once and re-checks
   * every `recheckMs` until it does. From the table the event joins the running queue;
   * from a timer it is posted.
   */
  private tryActivate(fromTable = false): void {
    const policy = this.config.policy ?? DEFAULT_POWER_POLICY;
    let ok = false;
    try {
      const p = this.ports.power;
      const source = p.source();
      ok = powerAllowsActivation(source, source === 'mains' ? 100 : p.level(), p.lowWarning(), policy.activatePercent);
    } catch (e) {
      this.note(asOtaError(e, 'POWER_READ_FAILED'));
    }
    this.clearRecheck();
    let event: AgentEvent | undefined;
    if (ok) event = { type: 'activation-due' };
    else {
      if (!this.ctx.activationPending) {
        this.phase('deferred', 'battery below the activation level');
        event = { type: 'power-insufficient' };
      }
      this.recheck = this.setTimer(policy.recheckMs, () => {
        this.recheck = undefined;
        if (this.ctx.state === 'awaiting-activation') this.tryActivate();
      });
    }
    if (!event) return;
    if (fromTable) this.queue.push(event);
    else this.post(event);
  }

  private armTrial(): void {
    const held = this.sink?.held;
    this.phase('activate', held ? `version 0x${held.fileVersion.toString(16)}` : undefined);
    if (!held) {
      this.queue.push({ type: 'trial-armed-failed', code: 'SINK_NOT_VERIFIED' });
      return;
    }
    try {
      this.driver?.stop();
      recordArmed(Journal.open(this.ports.flash, this.layout!), { fileVersion: held.fileVersion, payloadDigest: held.payloadDigest });
      activateTrial(this.ports, this.layout!, { version: held.fileVersion, length: held.payloadLength, digest: held.payloadDigest }, this.config.trial);
    } catch (e) {
      const err = asOtaError(e, 'ACTIVATION_FAILED');
      this.note(err);
      this.guard('JOURNAL_WRITE', () => recordArmed(Journal.open(this.ports.flash, this.layout!), undefined));
      this.queue.push({ type: 'trial-armed-failed', code: err.code });
      // A flash write can fail once and work the next time: try again a few times, each attempt reported.
      if (++this.armFailures <= ARM_RETRIES) {
        this.setTimer((this.config.policy ?? DEFAULT_POWER_POLICY).recheckMs, () => {
          if (this.ctx.state === 'awaiting-activation') this.tryActivate();
        });
      }
      return;
    }
    this.restart();
  }

  // ---------------------------------------------------------------------- credentials

  /** The credentials replaced since provisioning take the provisioned ones' place; then commands are taken. */
  private startCredentials(): void {
    try {
      const stored = loadCredentials(this.ports.flash, this.layout!);
      if (stored) Object.assign(this.trust, { cells: stored.cells, counter: stored.counter });
    } catch (e) {
      this.note(asOtaError(e, 'CRED_READ')); // the provisioned set stands
    }
    // A cut between the kept record and the journal's copy left the copy behind: mend it.
    this.guard('JOURNAL_WRITE', () => repairJournalCopy(this.ports.flash, this.layout!, this.trust));
    this.credentialUpdater = new CredentialUpdater(this.ports, this.layout!, this.trust, this.config.deviceId);
    const port = this.ports.credentials;
    if (port) this.guard('CREDENTIAL_PORT_FAILED', () => port.onCommand((c) => this.onCredentialCommand(c)));
  }

  /** A CS02b-like replacement command: answered at once, always reported. */
  onCredentialCommand(bytes: Uint8Array): number {
    const updater = this.credentialUpdater;
    if (!updater) return 30; // not started: resources busy
    const out = updater.handle(bytes, this.ctx.state, this.held);
    this.report(out.report);
    if (out.heldRefused) this.post({ type: 'held-image-refused', code: out.heldRefused.code });
    return out.answer;
  }

  /** The CS08-like read-out of the credentials in force. */
  credentials(): CredentialReadout {
    return readCredentials(this.trust);
  }

  // ---------------------------------------------------------------------- trial

  private selfTest(): void {
    const sc = this.config.selfTest ?? {};
    const checks: SelfTestCheck[] = [
      storageReadable(this.ports, this.layout!),
      trustStoreIntact(this.trust),
      radioRejoined(this.ports.clock, () => this.framesSinceBoot, sc.radioPollMs ?? 1000, () => this.ping()),
      ...(sc.vendor ?? []),
    ];
    runSelfTest(this.ports.clock, checks, sc.deadlineMs ?? DEFAULT_SELF_TEST_MS, (r) => {
      this.post(r.ok ? { type: 'self-test-passed' } : { type: 'self-test-failed', reason: r.reason });
    });
  }

  /** One Query Next Image Request, for the radio check (its answer is a server frame; the client ignores it). */
  private ping(): void {
    this.guard('TRANSPORT_SEND_FAILED', () => {
      this.pingSequence = (this.pingSequence + 1) & 0xff;
      const c = this.config;
      this.ports.transport.send(
        encodeOtaFrame({
          sequence: 0x80 | (this.pingSequence & 0x7f),
          command: { name: 'queryNextImageRequest', manufacturerCode: c.manufacturerCode, imageType: c.imageType, fileVersion: this.ctx.runningVersion, hardwareVersion: c.hardwareVersion },
        }),
      );
    });
  }

  private pingSequence = 0;

  private confirm(): void {
    try {
      confirmTrial(this.ports, this.layout!);
    } catch (e) {
      const err = asOtaError(e, 'CONFIRM_FAILED');
      this.note(err);
      this.queue.push({ type: 'confirm-failed', code: err.code });
      return;
    }
    this.phase('confirmed', `version 0x${this.ctx.runningVersion.toString(16)}`);
    this.queue.push({ type: 'confirmed' });
    // Reported first (the table's next row), then forgotten: a cut between the two reports it again at the next boot.
    this.setTimer(0, () => this.afterActivationKnown(true));
  }

  private restart(): void {
    try {
      this.ports.boot.restart();
    } catch (e) {
      // Still running: try again later (the watchdog is the backstop on a trial).
      this.note(asOtaError(e, 'RESTART_FAILED'));
      this.setTimer((this.config.policy ?? DEFAULT_POWER_POLICY).recheckMs, () => this.restart());
    }
  }

  // ---------------------------------------------------------------------- helpers

  private setTimer(ms: number, fn: () => void): number | undefined {
    try {
      return this.ports.clock.setTimer(ms, () => {
        try {
          fn();
        } catch (e) {
          this.note(asOtaError(e, 'AGENT_INTERNAL'));
        }
      });
    } catch (e) {
      this.note(asOtaError(e, 'CLOCK_FAILED'));
      return undefined;
    }
  }

  private clearRecheck(): void {
    if (this.recheck === undefined) return;
    const h = this.recheck;
    this.recheck = undefined;
    this.guard('CLOCK_FAILED', () => this.ports.clock.clearTimer(h));
  }

  private guard(code: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.note(asOtaError(e, code));
    }
  }

  private phase(p: AgentPhase, detail?: string): void {
    try {
      this.config.onPhase?.(p, detail);
    } catch {
      // an observer never stops the agent
    }
  }

  private note(e: OtaError): void {
    this.recentErrors.push(e.code);
    if (this.recentErrors.length > ERROR_RING) this.recentErrors.shift();
  }
}
