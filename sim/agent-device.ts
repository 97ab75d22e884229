/**
 * One powered-on instance of a world's device running the real agent, behind the
 * bootloader's choice of bank: the instance's ports (instance-ports.ts), an Activation
 * and a CredentialCommands port the test drives, a Reporter that records into the world,
 * the noble crypto ports, and on a trial boot the new image's own check and the
 * bootloader's watchdog. A cut, a restart, a crash or the watchdog ends it; the world
 * boots a new one over the same chip. No Node API: runs inside XS too.
 */
import { Agent, type SelfTestCheck } from '../device/agent/index.js';
import { nobleP256, nobleSha256 } from '../device/crypto/index.js';
import type {
  Activation,
  ActivationCommand,
  ActivationResponseCode,
  CredentialCommands,
  Ports,
  Reporter,
} from '../device/ports.js';
import { bootControl, instancePorts } from './instance-ports.js';
import type { PowerRail } from './power-rail.js';
import type { AgentBuild, World } from './world.js';

/** What a new image does on its trial boot. */
export type TrialBehaviour = 'pass' | 'fail' | 'crash';

export class AgentDevice {
  readonly agent: Agent;
  private commandHandler: ((c: ActivationCommand) => ActivationResponseCode) | undefined;
  private credentialHandler: ((command: Uint8Array) => number) | undefined;

  constructor(
    readonly world: World,
    build: AgentBuild,
    readonly rail: PowerRail,
    readonly bank: 0 | 1,
    readonly trial: boolean,
    watchdogSeconds: number | undefined,
  ) {
    const faults = world.config.faults ?? {};
    const { flash, clock, power, transport } = instancePorts(world, rail, faults);
    const boot = bootControl(rail, bank);
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
      trust: build.trust,
      manufacturerCode: build.manufacturerCode,
      imageType: build.imageType,
      hardwareVersion: build.hardwareVersion,
      client: build.client,
      policy: build.policy,
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
