/**
 * XS-lane cases for the download path: the emulated CH, the lossy link and the device's
 * OTA client, test sink and flash all run inside XS (no Node API, no TextEncoder).
 */
import { DEFAULT_POWER_POLICY } from '../../../device/agent/power-policy.js';
import {
  figures,
  runUntilFinished,
  simpleDownload,
  testClient,
  testImageSpec,
  RUNNING_VERSION,
} from '../../../sim/download-scenario.js';
import { World } from '../../../sim/world.js';
import { Hostile } from '../../../sim/hostile-server.js';
import { servedImage } from '../../../sim/ota-server.js';
import { CLEAN } from '../../../sim/radio-link.js';
import { buildTestImage } from '../../../sim/test-image.js';
import { serve } from './serve.js';

serve({
  download: (args: { seed: number; payloadBytes: number; loss: number }) => {
    const loss = { ...CLEAN, loss: args.loss };
    const r = simpleDownload({
      seed: args.seed,
      payloadBytes: args.payloadBytes,
      world: { link: { up: loss, down: loss } },
    });
    return {
      outcome: r.outcome?.kind,
      blockRequests: r.blockRequests,
      imageSize: r.imageSize,
      bankMatches: r.bankMatches,
      runningImageIntact: r.runningImageIntact,
      restartsFromZero: r.restartsFromZero,
      upgradeEnds: r.world.ch.stats.upgradeEnds,
      events: r.events,
    };
  },

  resumeAfterCut: (args: { seed: number; payloadBytes: number }) => {
    const file = buildTestImage(testImageSpec(args.payloadBytes, args.seed));
    const world = new World({ currentVersion: RUNNING_VERSION, seed: args.seed, bankSize: 128 * 1024 });
    world.ch.images.push(servedImage(file));
    const options = { client: testClient(), policy: DEFAULT_POWER_POLICY };
    const first = world.bootDownload(options);
    world.scheduler.runUntil(() => first.driver.client.fileOffset >= args.payloadBytes / 2);
    first.cut();
    const cutAt = first.driver.client.fileOffset;
    const second = world.bootDownload(options);
    runUntilFinished(world, () => world.currentDownload, 3600_000);
    const f = figures(world, second, file);
    return {
      outcome: f.outcome?.kind,
      cutAt,
      resumedAt: second.driver.client.startOffset,
      bankMatches: f.bankMatches,
      restartsFromZero: f.restartsFromZero,
    };
  },

  hostileWrongOffset: (args: { seed: number }) => {
    const file = buildTestImage(testImageSpec(8_000, args.seed));
    const world = new World({ currentVersion: RUNNING_VERSION, seed: args.seed, bankSize: 64 * 1024 });
    world.ch.images.push(servedImage(file));
    world.ch.behaviour = Hostile.wrongOffset();
    const device = world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
    runUntilFinished(world, () => world.currentDownload, 3600_000);
    const o = device.driver.outcome;
    return {
      outcome: o?.kind,
      code: o?.kind === 'aborted' ? o.error.code : undefined,
      upgradeEnds: world.ch.stats.upgradeEnds,
      flashOps: world.media.ops,
      runningImageIntact: world.runningImageIntact(),
    };
  },
});
