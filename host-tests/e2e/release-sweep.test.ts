/**
 * The second update on one device, cut where it releases the fallback. After the first
 * update the boot record keeps the factory image as the fallback (docs/BOOT.md row 7);
 * the next download must release it, raising the floor to the running version, in one
 * boot-record write before its first erase of the fallback's bank. Here the power is cut
 * at every flash operation from power-on up to a few operations past that first erase,
 * clean and torn, on both profiles: each run must end confirmed on the new image with the
 * sweep's oracles holding (no misuse, floor and fallback right, one success report).
 */
import { describe, expect, it } from 'vitest';
import type { StorageLayout } from '../../device/storage/index.js';
import type { World } from '../../sim/world.js';
import { FLASH_PROFILES, FlashMedia, type FlashOpRecord, type FlashProfile } from '../../sim/sim-flash.js';
import { traceUpdateWorld, type WorldOptions } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';

const THIRD_VERSION = 0x00030000;
/** The second update goes back to bank 0, the first update's fallback bank. */
const SECOND_BANK = 1 - ACTIVE_BANK_AFTER_UPDATE;
/** Operations swept past the first erase of the released bank. */
const PAST_FIRST_ERASE = 4;
const AFTER = { reboots: 2 };

function inBootRecord(layout: StorageLayout, op: FlashOpRecord): boolean {
  return layout.bootSectors.includes(Math.floor(op.offset / layout.sectorSize));
}

function inBank(layout: StorageLayout, bank: number, op: FlashOpRecord): boolean {
  const b = layout.banks[bank];
  return op.offset < b.offset + b.size && op.offset + op.length > b.metaOffset;
}

/** The chip after a first update, confirmed, with its fallback kept. */
function updatedOnce(profile: FlashProfile): FlashMedia {
  let world: World | undefined;
  const first = traceUpdateWorld(
    {
      image: signedImage(20_000, { seed: 31 }).file,
      trustStore: pki().trustStore,
      currentVersion: FROM_VERSION,
      hardwareVersion: HARDWARE_VERSION,
      battery: false,
      loss: 0,
      powerCuts: 0,
      seed: 41,
      onWorld: (w) => (world = w),
    },
    [],
    undefined,
    profile,
  );
  expect(first.outcome).toBe('confirmed');
  expect(first.final.record?.fallback?.version).toBe(FROM_VERSION);
  const chip = new FlashMedia(profile, world!.media.size, 1);
  chip.copyFrom(world!.media);
  return chip;
}

function sweep(profile: FlashProfile): void {
  const chip = updatedOnce(profile);
  const fresh = () => {
    const copy = new FlashMedia(profile, chip.size, 1);
    copy.copyFrom(chip);
    return copy;
  };
  const options = (): WorldOptions => ({
    image: signedImage(20_000, { seed: 32, version: THIRD_VERSION }).file,
    trustStore: pki().trustStore,
    currentVersion: TO_VERSION,
    hardwareVersion: HARDWARE_VERSION,
    battery: false,
    loss: 0,
    powerCuts: 0,
    seed: 42,
    media: fresh(),
  });
  const versions = { from: TO_VERSION, to: THIRD_VERSION, newBank: SECOND_BANK };
  const log: FlashOpRecord[] = [];
  const clean = traceUpdateWorld({ ...options(), onWorld: (w) => (w.media.log = log) }, [], undefined, profile, AFTER);
  expect(clean.outcome).toBe('confirmed');
  expect(updateFault(clean, { ...versions, cuts: 0 })).toBeUndefined();
  const ops = log.filter((op) => op.index >= clean.firstOp);
  const firstErase = ops.find((op) => op.kind === 'erase' && inBank(clean.layout, SECOND_BANK, op));
  expect(firstErase).toBeDefined();
  const swept = ops.filter((op) => op.index <= firstErase!.index + PAST_FIRST_ERASE);
  // The release is a boot-record write before that erase: the sweep must cut inside it.
  const releaseWrites = swept.filter((op) => op.index < firstErase!.index && inBootRecord(clean.layout, op));
  expect(releaseWrites.map((op) => op.kind)).toContain('program');
  const failures: string[] = [];
  for (const op of swept) {
    for (const torn of [false, true]) {
      const r = traceUpdateWorld(options(), [{ at: op.index, torn }], undefined, profile, AFTER);
      const where = `op ${op.index - clean.firstOp} (${op.kind}${inBootRecord(clean.layout, op) ? ', boot record' : ''}) ${torn ? 'torn' : 'clean'}`;
      if (r.bricked) failures.push(`${where}: bricked`);
      else if (r.outcome !== 'confirmed') failures.push(`${where}: ended ${r.outcome}`);
      else {
        const f = updateFault(r, { ...versions, cuts: 1 });
        if (f) failures.push(`${where}: ${f}`);
        else if (r.final.record?.floor !== TO_VERSION) failures.push(`${where}: floor not the released fallback's`);
      }
    }
  }
  console.log(
    `release sweep (${profile.name}): ${swept.length} operations up to ${PAST_FIRST_ERASE} past the first erase of bank ${SECOND_BANK} ` +
      `(${releaseWrites.length} of them the boot-record write that releases the fallback) × clean/torn = ${swept.length * 2} runs`,
  );
  expect(failures).toEqual([]);
}

describe('the second update, cut while it releases the fallback', () => {
  for (const profile of FLASH_PROFILES) {
    it(`${profile.name}: a cut at every operation up to the first erase of the fallback's bank, clean and torn, ends confirmed with the floor raised`, () =>
      sweep(profile));
  }
});
