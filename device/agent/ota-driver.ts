/**
 * Binds the pure OtaClient to the ports: frames from the transport and the one timer
 * become events; actions become sends, timer settings, sink calls and reports. Every port
 * call is guarded (ports.ts failure rule): a failed send is a lost frame (the client's
 * timeout retries it), a failed sink call is SINK_FAILED, a failed power reading counts as
 * a brown-out warning (the cautious reading), a failed report is dropped. Nothing thrown by
 * a port or the client leaves the driver; the last errors are kept for the agent to report.
 */
import { asOtaError, type OtaError, type OtaErrorCode } from '../errors.js';
import type { Clock, OtaTransport, Power, Reporter, TimerHandle } from '../ports.js';
import type { ImageSink } from './image-sink.js';
import { OtaClient } from './ota-client.js';
import type { ClientAction, ClientReading, ClientEvent, DownloadOutcome } from './ota-client-io.js';
import type { OtaClientConfig } from './ota-client-config.js';
import { validatePowerPolicy, type PowerPolicy, type PowerReading } from './power-policy.js';
import { SinkError, AgentError } from './agent-errors.js';
import { OtaClientError } from './ota-errors.js';

export interface OtaDriverPorts {
  transport: OtaTransport;
  clock: Clock;
  power: Power;
  reporter: Reporter;
}

export interface OtaDriverOptions {
  /** Client settings except `capacity`, which the sink gives. */
  client: Omit<OtaClientConfig, 'capacity'>;
  policy: PowerPolicy;
  /** Uniform [0, 1) source for query jitter; the platform's RNG (the emulator passes a seeded one). */
  random: () => number;
  /** Called once per finished download attempt. */
  onFinished?: (outcome: DownloadOutcome) => void;
  /** Called for every refusal and pause, for logs and tests. */
  onEvent?: (action: Extract<ClientAction, { kind: 'refused' | 'paused' }>) => void;
}

/** Errors remembered (a ring: RAM stays bounded however long the device runs). */
const ERROR_RING = 16;

export class OtaDriver {
  readonly client: OtaClient;
  private timer: TimerHandle | undefined;
  private readonly queue: ClientEvent[] = [];
  private running = false;
  readonly recentErrors: OtaErrorCode[] = [];
  outcome: DownloadOutcome | undefined;

  constructor(
    private readonly ports: OtaDriverPorts,
    private readonly sink: ImageSink,
    private readonly options: OtaDriverOptions,
  ) {
    validatePowerPolicy(options.policy);
    let capacity = 0;
    try {
      capacity = sink.capacity();
    } catch (e) {
      this.note(asOtaError(e, SinkError.failed));
    }
    this.client = new OtaClient({ ...options.client, capacity }, options.policy, Math.floor(options.random() * 256));
  }

  /** Registers with the transport and starts the client (first query after a random delay). */
  start(): void {
    try {
      this.ports.transport.onReceive((frame) => this.post({ kind: 'frame', bytes: frame }));
    } catch (e) {
      this.note(asOtaError(e, AgentError.transportFailed));
      return;
    }
    this.post({ kind: 'boot' });
  }

  /** Cancels the timer (the agent stops the client, e.g. before activation). */
  stop(): void {
    this.setTimer(undefined);
  }

  private post(event: ClientEvent): void {
    this.queue.push(event);
    if (this.running) return; // sink results posted while running are handled in order
    this.running = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        const actions = this.client.handle(e, this.reading());
        for (const a of actions) this.perform(a);
      }
    } catch (e) {
      this.note(asOtaError(e, OtaClientError.driverInternal));
    } finally {
      this.running = false;
      this.queue.length = 0;
    }
  }

  private reading(): ClientReading {
    let nowMs = 0;
    try {
      nowMs = this.ports.clock.monotonicMs();
    } catch (e) {
      this.note(asOtaError(e, AgentError.clockFailed));
    }
    return { nowMs, power: this.readPower(), random: this.options.random() };
  }

  private readPower(): PowerReading {
    try {
      const source = this.ports.power.source();
      return {
        source,
        level: source === 'mains' ? 100 : this.ports.power.level(),
        lowWarning: this.ports.power.lowWarning(),
      };
    } catch (e) {
      this.note(asOtaError(e, AgentError.powerReadFailed));
      return { source: 'battery', level: 0, lowWarning: true };
    }
  }

  private perform(a: ClientAction): void {
    switch (a.kind) {
      case 'send':
        try {
          this.ports.transport.send(a.frame);
        } catch (e) {
          this.note(asOtaError(e, AgentError.transportSendFailed));
        }
        return;
      case 'timer':
        this.setTimer(a.ms);
        return;
      case 'sink-begin':
        this.sinkCall(() => ({ kind: 'sink-begun', resumeOffset: this.sink.begin(a.image) }));
        return;
      case 'sink-write':
        this.sinkCall(() => ({ kind: 'sink-written', result: this.sink.write(a.offset, a.data) }));
        return;
      case 'sink-approve':
        this.sinkCall(() => {
          this.sink.approveErase();
          return { kind: 'sink-approved' };
        });
        return;
      case 'sink-end':
        this.sinkCall(() => ({ kind: 'sink-ended', result: this.sink.end() }));
        return;
      case 'sink-persist':
        try {
          this.sink.persist();
        } catch (e) {
          this.note(asOtaError(e, SinkError.failed));
        }
        return;
      case 'status':
        try {
          this.ports.reporter.report({ kind: 'upgrade-status', status: a.status });
        } catch {
          // A full report queue drops the report; the attribute still holds the status.
        }
        return;
      case 'refused':
        this.note(a.error);
        this.options.onEvent?.(a);
        return;
      case 'paused':
        this.options.onEvent?.(a);
        return;
      case 'finished':
        this.outcome = a.outcome;
        if (a.outcome.kind === 'aborted') this.note(a.outcome.error);
        this.options.onFinished?.(a.outcome);
        return;
    }
  }

  private sinkCall(call: () => ClientEvent): void {
    let result: ClientEvent;
    try {
      result = call();
    } catch (e) {
      // A typed failure keeps its code (STORAGE_FLASH_WRITE says more than SINK_FAILED); anything else becomes SINK_FAILED.
      const err = asOtaError(e, SinkError.failed);
      result = { kind: 'sink-failed', error: err };
    }
    this.queue.push(result);
  }

  private setTimer(ms: number | undefined): void {
    try {
      if (this.timer !== undefined) this.ports.clock.clearTimer(this.timer);
      this.timer = undefined;
      if (ms !== undefined)
        this.timer = this.ports.clock.setTimer(Math.max(0, ms), () => {
          this.timer = undefined;
          this.post({ kind: 'timer' });
        });
    } catch (e) {
      this.note(asOtaError(e, AgentError.clockFailed));
    }
  }

  private note(e: OtaError): void {
    this.recentErrors.push(e.code);
    if (this.recentErrors.length > ERROR_RING) this.recentErrors.shift();
  }
}
