/**
 * The executor of the lifecycle table (lifecycle.ts): it drives the OTA client, the update
 * sink, activation and the trial, and turns every result back into a lifecycle event.
 * `step` decides; this file only does the I/O. The boot check (boot-check.ts), the gate on
 * offers (offer-gate.ts), the requests sent outside a download (server-asks.ts),
 * activation (activator.ts) and the trial (trial.ts) are files of their own.
 *
 * Every port call may throw: each is guarded (agent-runtime.ts), turned into an OtaError
 * code kept in a bounded ring (`recentErrors`), and the lifecycle goes on. Nothing leaves
 * `start()`, a timer callback, a frame handler or the activation handler as a throw.
 */
import { asOtaError, type OtaErrorCode } from '../errors.js';
import type { TrustStore } from '../pki/index.js';
import type { Ports, Report } from '../ports.js';
import { type TrialOptions, Journal, makeLayout, type LayoutConfig, type StorageLayout } from '../storage/index.js';
import { AgentError, SinkError } from './agent-errors.js';
import { AgentRuntime, type AgentPhase } from './agent-runtime.js';
import { Activator } from './activator.js';
import { checkBoot, reportBootEvent } from './boot-check.js';
import { recordArmed } from './held-record.js';
import type { ImageIdentity } from './image-sink.js';
import { initialContext, step, type AgentAction, type AgentContext, type AgentEvent } from './lifecycle.js';
import { OfferGate } from './offer-gate.js';
import { DEFAULT_CLIENT_TIMING, type OtaClientConfig } from './ota-client-config.js';
import type { DownloadOutcome } from './ota-client-io.js';
import { OtaDriver } from './ota-driver.js';
import { OtaClientError } from './ota-errors.js';
import { DEFAULT_POWER_POLICY, type PowerPolicy } from './power-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import { ServerAsks } from './server-asks.js';
import { confirmRunningTrial, selfTestTrial, type SelfTestConfig } from './trial.js';
import { UpdateSink, type HeldBankImage } from './update-sink.js';
import { CredentialUpdater } from './credential-update.js';
import { loadCredentials, repairJournalCopy } from './credential-store.js';
import { CredentialError, Cs02bCode, readCredentials, type CredentialReadout } from '../pki/index.js';

export type { AgentPhase } from './agent-runtime.js';

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
  client?: Partial<
    Omit<OtaClientConfig, 'capacity' | 'manufacturerCode' | 'imageType' | 'currentFileVersion' | 'hardwareVersion'>
  >;
  policy?: PowerPolicy;
  /** Uniform [0, 1): the platform's RNG (query jitter). */
  random: () => number;
  selfTest?: SelfTestConfig;
  trial?: TrialOptions;
  /** Bounded retries and back-off after local faults and transfer mismatches (defaults: DEFAULT_RETRY_POLICY). */
  retry?: Partial<RetryPolicy>;
  onPhase?: (phase: AgentPhase, detail?: string) => void;
}

export class Agent {
  /** The lifecycle's state (lifecycle.ts). */
  readonly ctx: AgentContext = initialContext();
  layout: StorageLayout | undefined;
  sink: UpdateSink | undefined;
  driver: OtaDriver | undefined;
  /** ZCL frames from the server since this boot (the self-test's radio check). */
  framesSinceBoot = 0;
  private readonly runtime: AgentRuntime;
  private readonly gate = new OfferGate();
  private readonly asks: ServerAsks;
  private readonly activator: Activator;
  private readonly queue: AgentEvent[] = [];
  private running = false;
  private deliver: ((frame: Uint8Array) => void) | undefined;
  private paused = false;
  /** Set by the boot check when an earlier activation's outcome is known (and reported by the booted row). */
  private knownOutcome: { forgetDownload: boolean } | undefined;
  /** The credentials in force: this agent's own copy, shared with the sink, replaced in place (credential-update.ts). */
  private readonly trust: TrustStore;
  private credentialUpdater: CredentialUpdater | undefined;

  constructor(
    private readonly ports: Ports,
    private readonly config: AgentConfig,
  ) {
    this.trust = { ...config.trust, cells: { ...config.trust.cells } };
    this.runtime = new AgentRuntime(ports, config.onPhase);
    const queryIntervalMs = config.client?.queryIntervalMs ?? DEFAULT_CLIENT_TIMING.queryIntervalMs;
    this.asks = new ServerAsks(this.runtime, config, queryIntervalMs);
    const host = {
      ctx: this.ctx,
      heldImage: () => this.sink?.held,
      layout: () => this.layout!,
      stopDownload: () => this.driver?.stop(),
      post: (event: AgentEvent) => this.post(event),
      enqueue: (event: AgentEvent) => this.queue.push(event),
    };
    this.activator = new Activator(this.runtime, host, config.policy ?? DEFAULT_POWER_POLICY, config.trial);
  }

  /** Error codes of the last failures, oldest first (bounded). */
  get recentErrors(): readonly OtaErrorCode[] {
    return this.runtime.recentErrors;
  }

  /** The verified image waiting for activation, if any. */
  get held(): HeldBankImage | undefined {
    return this.activator.heldForActivation();
  }

  /** Boot check, then the lifecycle runs on frames, timers and commands. Never throws. */
  start(): void {
    try {
      this.gate.configure(this.config.retry);
    } catch (e) {
      this.runtime.note(asOtaError(e, AgentError.config)); // the defaults stand
    }
    try {
      this.layout = makeLayout(this.ports.flash, this.config.layout);
    } catch (e) {
      this.runtime.note(asOtaError(e, AgentError.layout));
      return;
    }
    this.runtime.guard(AgentError.transportFailed, () => this.ports.transport.onReceive((f) => this.onFrame(f)));
    this.runtime.guard(AgentError.activationPortFailed, () =>
      this.ports.activation.onCommand((c) => this.activator.onCommand(c)),
    );
    this.startCredentials();
    const boot = checkBoot(this.runtime, this.layout);
    this.knownOutcome = boot.knownOutcome;
    this.post(boot.event);
    reportBootEvent(this.runtime, this.layout);
    // Only once the outcome is reported is ARMED cleared: a cut in between reports it again at the next boot.
    if (this.knownOutcome !== undefined) this.afterActivationKnown(this.knownOutcome.forgetDownload);
  }

  /** The activation's outcome is known: ARMED is cleared, and the download too when it is finished with. */
  private afterActivationKnown(forgetDownload: boolean): void {
    this.runtime.guard(AgentError.journalWrite, () => {
      const journal = Journal.open(this.ports.flash, this.layout!);
      recordArmed(journal, undefined);
    });
    if (forgetDownload) this.runtime.guard(AgentError.journalWrite, () => this.makeSink(0).discard());
  }

  // ---------------------------------------------------------------------- lifecycle

  private post(event: AgentEvent): void {
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const before = this.ctx.state;
        const actions = step(this.ctx, next);
        for (const action of actions) this.perform(action);
        if (before === 'boot-check' && this.ctx.state !== 'boot-check') this.startDriver();
      }
    } catch (e) {
      this.runtime.note(asOtaError(e, AgentError.internal));
    } finally {
      this.running = false;
      this.queue.length = 0;
    }
  }

  private perform(action: AgentAction): void {
    switch (action.do) {
      case 'report':
        return this.runtime.report(action.report);
      case 'start-download':
        this.runtime.phase('download');
        return;
      case 'finish-verification': {
        this.runtime.phase('verify');
        const held = this.sink?.held;
        this.queue.push(held ? { type: 'verified', held } : { type: 'verify-failed', code: SinkError.notVerified });
        return;
      }
      case 'schedule-activation':
        this.runtime.setTimer(action.delayMs, () => this.activator.tryActivate());
        return;
      case 'try-activate':
        return this.activator.tryActivate(true);
      case 'arm-trial-and-restart':
        return this.activator.armTrial();
      case 'run-self-test':
        return this.selfTest();
      case 'confirm':
        return this.confirm();
      case 'restart':
        return this.activator.restart();
      case 'discard-download':
        this.runtime.guard(AgentError.journalWrite, () => this.sink?.discard());
        return;
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
    const gated = this.gate.wrap(sink, {
      nowMs: () => this.runtime.nowMs(),
      offered: () => {
        if (this.ctx.state === 'idle') this.post({ type: 'image-offered' });
      },
      writing: () => {
        if (!this.paused) return;
        this.paused = false;
        this.runtime.phase('resumed');
      },
    });
    const timing = { ...DEFAULT_CLIENT_TIMING, ...this.config.client };
    try {
      // The driver's receiver sits behind the agent's: the agent sees every frame first.
      const transport = {
        send: (frame: Uint8Array) => this.ports.transport.send(frame),
        onReceive: (handler: (frame: Uint8Array) => void) => {
          this.deliver = handler;
        },
      };
      const ports = this.ports;
      // ImageUpgradeStatus has one source, the lifecycle table: the client's own status changes are not forwarded.
      const reporter = { report: (r: Report) => (r.kind === 'upgrade-status' ? undefined : this.runtime.report(r)) };
      this.driver = new OtaDriver({ transport, clock: ports.clock, power: ports.power, reporter }, gated, {
        client: {
          ...timing,
          manufacturerCode: this.config.manufacturerCode,
          imageType: this.config.imageType,
          currentFileVersion: this.ctx.runningVersion,
          hardwareVersion: this.config.hardwareVersion,
        },
        policy: this.config.policy ?? DEFAULT_POWER_POLICY,
        random: this.config.random,
        onFinished: (outcome) => this.onDownloadFinished(outcome),
        onEvent: (event) => {
          if (event.kind === 'paused') {
            this.paused = true;
            this.runtime.phase('paused', event.reason);
          }
        },
      });
    } catch (e) {
      this.runtime.note(asOtaError(e, OtaClientError.driverConfig));
      return;
    }
    this.runtime.phase('query');
    this.driver.start();
  }

  private onDownloadFinished(outcome: DownloadOutcome): void {
    const where = { fileOffset: () => this.driver?.client.fileOffset ?? 0, nowMs: () => this.runtime.nowMs() };
    for (const event of this.gate.finished(outcome, where)) {
      // The server never answered the Upgrade End Request: ask again while the image waits.
      if (event.type === 'upgrade-end' && outcome.kind === 'downloaded' && outcome.unanswered)
        this.askForUpgradeEnd(outcome.image);
      this.post(event);
    }
  }

  private askForUpgradeEnd(image: ImageIdentity): void {
    this.asks.askForUpgradeEnd(
      image,
      () => this.ctx.state === 'awaiting-activation' && this.sink?.held?.fileVersion === image.fileVersion,
    );
  }

  private onFrame(frame: Uint8Array): void {
    this.framesSinceBoot++;
    if (this.ctx.state === 'awaiting-activation') this.unsolicitedEnd(frame);
    const handler = this.deliver;
    if (handler) {
      try {
        handler(frame);
      } catch (e) {
        this.runtime.note(asOtaError(e, OtaClientError.driverInternal));
      }
    }
  }

  /** An Upgrade End Response naming the held image counts whenever it comes (SECMP0007). */
  private unsolicitedEnd(frame: Uint8Array): void {
    const held = this.sink?.held;
    if (!held) return;
    const identity = {
      manufacturerCode: this.config.manufacturerCode,
      imageType: this.config.imageType,
      fileVersion: held.fileVersion,
    };
    const trigger = this.asks.answerFor(frame, identity);
    if (trigger) this.post({ type: 'upgrade-end', trigger });
  }

  // ---------------------------------------------------------------------- credentials

  /** The credentials replaced since provisioning take the provisioned ones' place; then commands are taken. */
  private startCredentials(): void {
    const layout = this.layout!;
    try {
      const stored = loadCredentials(this.ports.flash, layout);
      if (stored) Object.assign(this.trust, { cells: stored.cells, counter: stored.counter });
    } catch (e) {
      this.runtime.note(asOtaError(e, CredentialError.read)); // the provisioned set stands
    }
    // A cut between the kept record and the journal's copy left the copy behind: mend it.
    this.runtime.guard(AgentError.journalWrite, () => repairJournalCopy(this.ports.flash, layout, this.trust));
    this.credentialUpdater = new CredentialUpdater(this.ports, layout, this.trust, this.config.deviceId);
    const port = this.ports.credentials;
    if (port) this.runtime.guard(CredentialError.portFailed, () => port.onCommand((c) => this.onCredentialCommand(c)));
  }

  /** A CS02b-like replacement command: answered at once, always reported. */
  onCredentialCommand(bytes: Uint8Array): number {
    const updater = this.credentialUpdater;
    if (!updater) return Cs02bCode.resourcesBusy; // not started
    const out = updater.handle(bytes, this.ctx.state, this.held);
    this.runtime.report(out.report);
    if (out.heldRefused) this.post({ type: 'held-image-refused', code: out.heldRefused.code });
    return out.answer;
  }

  /** The CS08-like read-out of the credentials in force. */
  credentials(): CredentialReadout {
    return readCredentials(this.trust);
  }

  // ---------------------------------------------------------------------- trial

  private selfTest(): void {
    const setup = {
      layout: this.layout!,
      trust: this.trust,
      selfTest: this.config.selfTest ?? {},
      framesSinceBoot: () => this.framesSinceBoot,
      ping: () => this.asks.queryNextImage(this.ctx.runningVersion),
    };
    selfTestTrial(this.runtime, setup, (event) => this.post(event));
  }

  private confirm(): void {
    const event = confirmRunningTrial(this.runtime, this.layout!, this.ctx.runningVersion);
    this.queue.push(event);
    // Reported first (the table's next row), then forgotten: a cut between the two reports it again at the next boot.
    if (event.type === 'confirmed') this.runtime.setTimer(0, () => this.afterActivationKnown(true));
  }
}
