/**
 * The update the storage sweeps replay: a seeded old and new payload, the new image's
 * identity and metadata. Digests come from the caller so a test can compute them with its
 * own SHA-256 rather than the device's. No Node API: used by the XS lane too.
 */
import { Rng } from './rng.js';
import type { FlashProfile } from './sim-flash.js';
import { SMALL_LAYOUT } from './storage-rig.js';
import type { UpdatePlan } from './storage-update.js';

export interface PlanOptions {
  payloadSize?: number;
  oldSize?: number;
  seed?: number;
  selfTest?: 'pass' | 'hang';
  progressEvery?: number;
  journalRoomLeft?: number;
  newVersion?: number;
  /** The floor the confirmation sets (default: the new version); undefined: confirmTrial's default. */
  confirmFloor?: number | undefined;
}

export function makePlan(
  profile: FlashProfile,
  digestOf: (b: Uint8Array) => Uint8Array,
  options: PlanOptions = {},
): UpdatePlan {
  const rng = new Rng(options.seed ?? 42);
  const oldPayload = rng.bytes(options.oldSize ?? 13_000);
  const newPayload = rng.bytes(options.payloadSize ?? 14_336 + 5);
  const newVersion = options.newVersion ?? 0x00020000;
  const metadata = rng.bytes(1500);
  return {
    profile,
    layout: SMALL_LAYOUT,
    oldPayload,
    oldVersion: 0x00010000,
    newPayload,
    newVersion,
    oldDigest: digestOf(oldPayload),
    newDigest: digestOf(newPayload),
    metadata,
    identity: {
      manufacturerCode: 0x1234,
      imageType: 0x0101,
      fileVersion: newVersion,
      manifestDigest: digestOf(metadata),
    },
    payloadFileOffset: 62 + 1600,
    progressEvery: options.progressEvery ?? 1024,
    chunkSeed: rng.nextU32() & 0xffff,
    selfTest: options.selfTest ?? 'pass',
    confirmFloor: 'confirmFloor' in options ? options.confirmFloor : newVersion,
    journalRoomLeft: options.journalRoomLeft ?? 700,
    trustAnchors: rng.bytes(300),
    counters: new Map([
      [1, 17],
      [2, 3],
    ]),
  };
}
