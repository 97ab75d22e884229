/**
 * One powered-on instance of a world's device running only the download: the OTA driver
 * over the test image sink (storage-image-sink.ts), on the instance's ports
 * (instance-ports.ts) with bank 0 running, and a Reporter that records. The download
 * tests drive it; a cut kills it (its ports throw, its timers never fire) and the world
 * boots a new one over the same chip, battery and journal, as a reboot does.
 * No Node API: runs inside XS too.
 */
import { OtaDriver, type OtaClientConfig, type PowerPolicy } from '../device/agent/index.js';
import { nobleSha256 } from '../device/crypto/index.js';
import type { BootControl, Report, Reporter } from '../device/ports.js';
import { thrown } from './faulty-ports.js';
import { bootControl, instancePorts, type PortFaults } from './instance-ports.js';
import { PowerRail } from './power-rail.js';
import { StorageImageSink } from './storage-image-sink.js';
import type { World } from './world.js';

export interface DownloadOptions {
  client: Omit<OtaClientConfig, 'capacity'>;
  policy: PowerPolicy;
  faults?: PortFaults;
}

export class DownloadDevice {
  readonly rail = new PowerRail();
  readonly boot: BootControl;
  readonly sink: StorageImageSink;
  readonly driver: OtaDriver;
  readonly reports: Report[] = [];
  readonly refusals: string[] = [];
  /** Every finished attempt: 'downloaded', or the error code it was aborted with. */
  readonly outcomes: string[] = [];
  pauses = 0;

  constructor(
    readonly world: World,
    options: DownloadOptions,
  ) {
    const rail = this.rail;
    const faults = options.faults ?? {};
    world.battery?.attach(rail);
    const { flash, clock, power, transport } = instancePorts(world, rail, faults);
    const reporter: Reporter = {
      report: (r) => {
        rail.check();
        if (faults.reporterThrows) thrown('report queue full');
        if (this.reports.length < 256) this.reports.push(r);
      },
    };
    this.boot = bootControl(rail, 0);
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

  /** Cuts this instance's power (a reboot follows with world.bootDownload). */
  cut(reason = 'test cut'): void {
    this.rail.cut(reason);
  }
}
