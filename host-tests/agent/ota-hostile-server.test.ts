/**
 * Every behaviour of the hostile-server catalogue (docs/HOSTILE-SERVER.md) ends in a clear
 * outcome: refused, retried to completion, or aborted with the right Upgrade End status;
 * the running image is never touched and the flash is never misused.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { OtaStatus } from '../../device/zigbee/ota-constants.js';
import { figures, runUntilFinished, testClient, testImageSpec, RUNNING_VERSION } from '../../sim/download-scenario.js';
import { World } from '../../sim/world.js';
import { Hostile } from '../../sim/hostile-server.js';
import { servedImage, type Behaviour } from '../../sim/ota-server.js';
import { CLEAN } from '../../sim/radio-link.js';
import { buildTestImage, type TestImageSpec } from '../../sim/test-image.js';

const PAYLOAD = 12_000;

function run(
  behaviour: (file: Uint8Array) => Behaviour,
  specOver: Partial<TestImageSpec> = {},
  worldOver: Partial<ConstructorParameters<typeof World>[0]> = {},
) {
  const file = buildTestImage(testImageSpec(PAYLOAD, 7, specOver));
  const world = new World({ currentVersion: RUNNING_VERSION, seed: 7, bankSize: 64 * 1024, ...worldOver });
  world.ch.images.push(servedImage(file));
  world.ch.behaviour = behaviour(file);
  const device = world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
  runUntilFinished(world, () => world.currentDownload, 6 * 3600_000);
  const f = figures(world, device, file);
  // Invariants of every hostile run.
  expect(f.runningImageIntact).toBe(true);
  expect(f.flashMisuse).toBe(0);
  expect(f.restartsFromZero).toBe(0);
  return { ...f, world, device, file };
}

function abortedWith(r: ReturnType<typeof run>, code: string, status: number | undefined) {
  expect(r.outcome?.kind).toBe('aborted');
  if (r.outcome?.kind !== 'aborted') return;
  expect(r.outcome.error.code).toBe(code);
  expect(r.outcome.upgradeEndStatus).toBe(status);
  if (status === undefined) expect(r.world.ch.stats.upgradeEnds).toEqual([]);
  else expect(r.world.ch.stats.upgradeEnds).toEqual([status]);
  expect(r.device.driver.client.attributes.imageUpgradeStatus).toBe(0);
}

function downloaded(r: ReturnType<typeof run>) {
  expect(r.outcome?.kind).toBe('downloaded');
  expect(r.bankMatches).toBe(true);
  expect(r.world.ch.stats.upgradeEnds).toEqual([OtaStatus.success]);
}

describe('hostile server catalogue', () => {
  it('wrong offsets, always: refused each time, retried at the same offset, then aborted (ABORT); the bank never erased', () => {
    const r = run(() => Hostile.wrongOffset());
    abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
    expect(r.device.refusals.filter((c) => c === 'OTA_BLOCK_WRONG_OFFSET').length).toBe(10);
    expect(r.world.ch.stats.highestOffset).toBe(0);
    expect(r.world.bankFlashOps()).toBe(0);
  });

  it('wrong offsets, 20% of answers: retried at the same offset and finished', () => {
    const r = run(() => Hostile.wrongOffset(0.2));
    downloaded(r);
    expect(r.device.refusals).toContain('OTA_BLOCK_WRONG_OFFSET');
  });

  it('more data than asked, always: refused, aborted (ABORT)', () => {
    const r = run(() => Hostile.moreDataThanAsked());
    abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
    expect(r.device.refusals).toContain('OTA_BLOCK_TOO_LONG');
  });

  it('more data than asked, 20% of answers: retried and finished', () => {
    downloaded(run(() => Hostile.moreDataThanAsked(0.2)));
  });

  it('data past the end of the image: the last block refused, aborted (ABORT), nothing past the end written', () => {
    const r = run(() => Hostile.dataPastEnd());
    abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
    expect(r.device.refusals).toContain('OTA_BLOCK_PAST_END');
    expect(r.device.driver.client.attributes.fileOffset).toBeLessThan(r.imageSize);
  });

  it('the image changing mid-download (same IDs, other bytes): the digest check refuses it, Upgrade End INVALID_IMAGE', () => {
    const other = buildTestImage(testImageSpec(PAYLOAD, 8));
    const r = run(() => Hostile.imageChangesMidDownload(servedImage(other), 6_000));
    abortedWith(r, 'IMAGE_PAYLOAD_DIGEST', OtaStatus.invalidImage);
  });

  it('endless WAIT_FOR_DATA: waits as told, adopts the minimum block period, gives up after the bound (ABORT)', () => {
    const r = run(() => Hostile.endlessWaitForData(10, 500));
    abortedWith(r, 'OTA_ENDLESS_WAIT', OtaStatus.abort);
    expect(r.device.driver.client.attributes.minimumBlockPeriod).toBe(500);
    expect(r.blockRequests).toBe(21);
    expect(r.virtualMs).toBeGreaterThanOrEqual(20 * 10_000);
  });

  it('WAIT_FOR_DATA for a while: honoured, the period adopted, then finished', () => {
    const r = run(() => Hostile.waitForDataThenServe(3, 250));
    downloaded(r);
    expect(r.device.driver.client.attributes.minimumBlockPeriod).toBe(250);
    expect(r.virtualMs).toBeGreaterThanOrEqual(3 * 2000 + (Math.ceil(r.imageSize / 50) - 1) * 250);
  });

  for (const field of ['manufacturerCode', 'imageType', 'fileVersion'] as const) {
    it(`mismatched ${field} in block answers: refused, aborted (ABORT), the bank never erased`, () => {
      const r = run(() => Hostile.mismatchedIds(field));
      abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
      expect(r.device.refusals).toContain('OTA_BLOCK_WRONG_IMAGE');
      expect(r.world.bankFlashOps()).toBe(0);
    });
  }

  const offers: [string, Parameters<typeof Hostile.offerOverride>[0], string][] = [
    ['another manufacturer', { manufacturerCode: 0x4321 }, 'OTA_OFFER_MISMATCH'],
    ['another image type', { imageType: 7 }, 'OTA_OFFER_MISMATCH'],
    ['an older version', { fileVersion: 0x50 }, 'OTA_OFFER_NOT_NEWER'],
    ['the running version', { fileVersion: 0x100 }, 'OTA_OFFER_NOT_NEWER'],
    ['an image larger than the bank', { imageSize: 200_000 }, 'OTA_OFFER_TOO_LARGE'],
  ];
  for (const [what, override, code] of offers) {
    it(`an offer of ${what}: refused, no block requested`, () => {
      const file = buildTestImage(testImageSpec(PAYLOAD, 7));
      const world = new World({ currentVersion: RUNNING_VERSION, seed: 9, bankSize: 64 * 1024 });
      world.ch.images.push(servedImage(file));
      world.ch.behaviour = Hostile.offerOverride(override);
      const device = world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
      world.scheduler.advanceTo(20 * 60_000); // several query periods
      expect(device.refusals[0]).toBe(code);
      expect(world.ch.stats.queries).toBeGreaterThanOrEqual(4);
      expect(world.ch.stats.blockRequests).toBe(0);
      expect(world.media.ops).toBe(0);
      expect(device.driver.client.attributes.imageUpgradeStatus).toBe(0);
    });
  }

  it('truncated frames, always: typed ZCL_TRUNCATED refusals, aborted (ABORT)', () => {
    const r = run(() => Hostile.truncatedFrames());
    abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
    expect(r.device.refusals).toContain('ZCL_TRUNCATED');
  });

  it('truncated frames, 30% of answers: retried and finished', () => {
    downloaded(run(() => Hostile.truncatedFrames(0.3)));
  });

  it('silence mid-download: timeouts retried at the same offset with backoff, then aborted (ABORT)', () => {
    const r = run(() => Hostile.silenceAfter(100));
    abortedWith(r, 'OTA_TOO_MANY_ERRORS', OtaStatus.abort);
    expect(r.device.refusals.filter((c) => c === 'OTA_BLOCK_TIMEOUT').length).toBe(10);
    expect(r.device.driver.recentErrors.length).toBeLessThanOrEqual(16);
    // Every retry asked the same offset: the highest offset requested is the 101st block's.
    expect(r.world.ch.stats.highestOffset).toBe(100 * 50);
    // Backoff doubles up to its 60 s cap: 1+2+4+8+16+32+60+60+60 s between ten 5 s timeouts.
    expect(r.virtualMs).toBeGreaterThan(243_000 + 50_000);
  });

  it('the server aborts: the client stops at once, sends no Upgrade End, keeps its progress for a later offer', () => {
    const r = run(() => Hostile.abortAfter(8_200));
    abortedWith(r, 'OTA_SERVER_ABORT', undefined);
    expect(r.world.progress()?.payloadOffset).toBeGreaterThan(0);
  });

  it('a server replaying earlier blocks: stale copies ignored, finished with no extra writes', () => {
    const r = run(() => Hostile.replayPrevious());
    downloaded(r);
    expect(r.blockRequests).toBe(Math.ceil(r.imageSize / 50));
  });

  it('an unauthenticated manifest: refused before any erase (INVALID_IMAGE), zero flash operations', () => {
    const r = run((f) => ({ name: 'honest', respond: (ctx) => (ctx.honest ? [ctx.encode(ctx.honest)] : []) }), {
      wrongKey: true,
    });
    abortedWith(r, 'IMAGE_MANIFEST_SIGNATURE', OtaStatus.invalidImage);
    expect(r.world.media.ops).toBe(0);
  });

  it('a link that duplicates and reorders frames: finished, the image intact', () => {
    const faults = { ...CLEAN, duplicate: 0.1, reorder: 0.1 };
    const r = run(
      () => ({ name: 'honest', respond: (ctx) => (ctx.honest ? [ctx.encode(ctx.honest)] : []) }),
      {},
      { link: { up: faults, down: faults } },
    );
    downloaded(r);
  });
});
