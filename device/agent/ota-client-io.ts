/**
 * What goes into the OTA client and what comes out: events with the driver's reading of
 * the world, actions, the outcome of a download, the states and the cluster attributes.
 */
import type { OtaError } from '../errors.js';
import type { OtaCommand } from '../zigbee/index.js';
import type { ImageIdentity, SinkEndResult, SinkWriteResult } from './image-sink.js';
import type { PowerReading } from './power-policy.js';

/** What the driver read of the world when the event happened. */
export interface ClientReading {
  nowMs: number;
  power: PowerReading;
  /** Uniform in [0, 1). */
  random: number;
}

export type ClientEvent =
  | { kind: 'boot' }
  | { kind: 'frame'; bytes: Uint8Array }
  | { kind: 'timer' }
  | { kind: 'sink-begun'; resumeOffset: number }
  | { kind: 'sink-written'; result: SinkWriteResult }
  | { kind: 'sink-approved' }
  | { kind: 'sink-ended'; result: SinkEndResult }
  /** A sink call threw (as an OtaError: its own code, or SINK_FAILED). */
  | { kind: 'sink-failed'; error: OtaError };

/** How a download attempt ended. */
export type DownloadOutcome =
  /** `unanswered`: the server never answered the Upgrade End Request; the image is kept and activation waits to be told. */
  | {
      kind: 'downloaded';
      image: ImageIdentity;
      activation: 'on-command' | 'at-delay';
      delayMs: number;
      unanswered?: boolean;
    }
  | { kind: 'aborted'; image: ImageIdentity; error: OtaError; upgradeEndStatus: number | undefined };

export type ClientAction =
  | { kind: 'send'; frame: Uint8Array; command: OtaCommand['name'] }
  | { kind: 'timer'; ms: number }
  | { kind: 'sink-begin'; image: ImageIdentity }
  | { kind: 'sink-write'; offset: number; data: Uint8Array }
  | { kind: 'sink-approve' }
  | { kind: 'sink-persist' }
  | { kind: 'sink-end' }
  | { kind: 'status'; status: number }
  /** A frame or answer was refused; the client goes on (counted, typed, for the log). */
  | { kind: 'refused'; error: OtaError }
  | { kind: 'paused'; reason: string }
  | { kind: 'finished'; outcome: DownloadOutcome };

export type ClientStateName =
  | 'idle'
  | 'querying'
  | 'beginning'
  | 'downloading'
  | 'paused'
  | 'writing'
  | 'approval'
  | 'ending'
  | 'downloaded';

/** Client attributes of the OTA cluster, kept current (ZCL attribute ids in ota-constants). */
export interface OtaClientAttributes {
  fileOffset: number;
  currentFileVersion: number;
  downloadedFileVersion: number;
  imageUpgradeStatus: number;
  manufacturerId: number;
  imageTypeId: number;
  minimumBlockPeriod: number;
}
