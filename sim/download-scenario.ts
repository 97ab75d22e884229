/**
 * Ready-made download scenarios in the emulated world (world.ts), shared by the Node tests and the XS lane:
 * one device, one image, a link, run in virtual time until the download ends.
 */
import {
  DEFAULT_CLIENT_TIMING,
  type OtaClientConfig,
  type DownloadOutcome,
  DEFAULT_POWER_POLICY,
  type PowerPolicy,
} from '../device/agent/index.js';
import type { DownloadDevice } from './download-device.js';
import { World, type WorldConfig } from './world.js';
import { servedImage } from './ota-server.js';
import { buildTestImage, TEST_PAYLOAD_OFFSET, type TestImageSpec } from './test-image.js';
import { Rng } from './rng.js';

export const TEST_MANUFACTURER = 0x1234;
export const TEST_IMAGE_TYPE = 0x0001;
export const RUNNING_VERSION = 0x00000100;

export function testClient(over: Partial<Omit<OtaClientConfig, 'capacity'>> = {}): Omit<OtaClientConfig, 'capacity'> {
  return {
    manufacturerCode: TEST_MANUFACTURER,
    imageType: TEST_IMAGE_TYPE,
    currentFileVersion: RUNNING_VERSION,
    hardwareVersion: 0x0011,
    ...DEFAULT_CLIENT_TIMING,
    ...over,
  };
}

export function testImageSpec(payloadBytes: number, seed: number, over: Partial<TestImageSpec> = {}): TestImageSpec {
  return {
    manufacturerCode: TEST_MANUFACTURER,
    imageType: TEST_IMAGE_TYPE,
    fileVersion: RUNNING_VERSION + 1,
    payload: new Rng(seed ^ 0xabcdef).bytes(payloadBytes),
    ...over,
  };
}

export interface ScenarioResult {
  outcome: DownloadOutcome | undefined;
  /** Image Block Requests the device sent (this boot). */
  blockRequests: number;
  /** Image Block Requests that reached the server. */
  blockRequestsReceived: number;
  queries: number;
  imageSize: number;
  bankMatches: boolean;
  runningImageIntact: boolean;
  restartsFromZero: number;
  virtualMs: number;
  events: number;
  flashMisuse: number;
}

/** Runs until the device's download finishes (or `maxVirtualMs` passes). */
export function runUntilFinished(world: World, device: () => DownloadDevice | undefined, maxVirtualMs: number): void {
  const deadline = world.scheduler.now + maxVirtualMs;
  world.scheduler.runUntil(() => {
    const d = device();
    return !!d?.driver.outcome || world.scheduler.now > deadline || (d !== undefined && !d.alive);
  });
  // Let the last frames (an Upgrade End, its answer) cross the link.
  world.scheduler.advanceTo(world.scheduler.now + 1_000);
}

export interface SimpleDownload {
  seed: number;
  payloadBytes: number;
  world?: Partial<WorldConfig>;
  client?: Partial<Omit<OtaClientConfig, 'capacity'>>;
  policy?: PowerPolicy;
  maxVirtualMs?: number;
}

/** One device downloads one test image from an honest CH over the given link. */
export function simpleDownload(s: SimpleDownload): ScenarioResult & { world: World; device: DownloadDevice } {
  const spec = testImageSpec(s.payloadBytes, s.seed);
  const file = buildTestImage(spec);
  const world = new World({ seed: s.seed, bankSize: 128 * 1024, currentVersion: RUNNING_VERSION, ...s.world });
  world.ch.images.push(servedImage(file));
  const device = world.bootDownload({ client: testClient(s.client), policy: s.policy ?? DEFAULT_POWER_POLICY });
  runUntilFinished(world, () => world.currentDownload, s.maxVirtualMs ?? 48 * 3600_000);
  return { ...figures(world, device, file), world, device };
}

export function figures(world: World, device: DownloadDevice, file: Uint8Array): ScenarioResult {
  const payloadOffset = TEST_PAYLOAD_OFFSET;
  const payload = file.subarray(payloadOffset);
  const bank = world.bank(payload.length);
  let same = true;
  for (let i = 0; i < payload.length; i++) if (bank[i] !== payload[i]) same = false;
  return {
    outcome: device.driver.outcome,
    blockRequests: device.driver.client.sent.block,
    blockRequestsReceived: world.ch.stats.blockRequests,
    queries: world.ch.stats.queries,
    imageSize: file.length,
    bankMatches: same,
    runningImageIntact: world.runningImageIntact(),
    restartsFromZero: world.ch.stats.restartsFromZero,
    virtualMs: world.scheduler.now,
    events: world.scheduler.fired,
    flashMisuse: world.media.misuse.length,
  };
}
