/**
 * A power cut at each flash operation of a whole download in turn (every write of the bank,
 * the journal and the metadata record is a candidate; clean and torn cuts alternate),
 * then a reboot: every run ends with the image intact in the inactive bank, the running
 * image untouched, and the resume never earlier than the journal's record allows.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { figures, runUntilFinished, testClient, testImageSpec, RUNNING_VERSION } from '../../sim/download-scenario.js';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { buildTestImage, TEST_PAYLOAD_OFFSET } from '../../sim/test-image.js';
import { NOR_00_ALIGN8, NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';

const PAYLOAD = 24 * 1024;

function cleanOps(profile: typeof NOR_FF_ALIGN4): number {
  const file = buildTestImage(testImageSpec(PAYLOAD, 71));
  const world = new World({ currentVersion: RUNNING_VERSION, seed: 71, bankSize: 64 * 1024, flash: profile });
  world.ch.images.push(servedImage(file));
  world.bootDownload({ client: testClient(), policy: DEFAULT_POWER_POLICY });
  runUntilFinished(world, () => world.currentDownload, 3600_000);
  return world.media.ops;
}

describe('power cuts swept over a download', () => {
  for (const profile of [NOR_FF_ALIGN4, NOR_00_ALIGN8]) {
    it(`${profile.name}: every cut resumes and finishes with the image intact`, () => {
      const total = cleanOps(profile);
      expect(total).toBeGreaterThan(50);
      const step = 1; // every operation
      let cuts = 0;
      let resumedPastZero = 0;
      for (let n = 0; n < total; n += step) {
        const torn = n % 2 === 1;
        const file = buildTestImage(testImageSpec(PAYLOAD, 71));
        const world = new World({ currentVersion: RUNNING_VERSION, seed: 71, bankSize: 64 * 1024, flash: profile });
        world.ch.images.push(servedImage(file));
        const options = { client: testClient(), policy: DEFAULT_POWER_POLICY };
        world.media.cutPowerAt(n, { torn });
        const first = world.bootDownload(options);
        runUntilFinished(world, () => world.currentDownload, 3600_000);
        expect(first.alive, `cut at op ${n}`).toBe(false);
        cuts++;
        const recorded = world.progress();
        world.scheduler.advanceTo(world.scheduler.now + 2_000);
        const second = world.bootDownload(options);
        runUntilFinished(world, () => world.currentDownload, 3600_000);
        const f = figures(world, second, file);
        const label = `${profile.name} cut ${torn ? 'torn' : 'clean'} at op ${n}`;
        expect(f.outcome?.kind, label).toBe('downloaded');
        expect(f.bankMatches, label).toBe(true);
        expect(f.runningImageIntact, label).toBe(true);
        expect(f.flashMisuse, label).toBe(0);
        if (recorded && recorded.payloadOffset > 0) {
          const sector = profile.sectorSize;
          expect(second.driver.client.startOffset, label).toBeGreaterThanOrEqual(
            TEST_PAYLOAD_OFFSET + Math.floor(recorded.payloadOffset / sector) * sector,
          );
          resumedPastZero++;
        }
      }
      expect(cuts).toBe(total);
      expect(resumedPastZero).toBeGreaterThan(cuts / 2);
      console.log(
        `${profile.name}: ${cuts} cuts over ${total} flash operations, ${resumedPastZero} resumed past offset 0`,
      );
    });
  }
});
