/** Signed images and world options the benchmark sections share (one PKI per image, as `simulate` makes). */
import { readU16, readU32 } from '../../device/util/bytes.js';
import type { WorldOptions } from '../../host-tests/harness/update-world.js';
import { freshSignedImage, SIMULATED_DEVICE } from '../simulate/fresh-image.js';
import { randomBytesSeeded } from '../simulate/seeded-bytes.js';

/** The CH's block size in the emulated world (zigbee-herdsman's default). */
export const BLOCK_SIZE = 50;
export const SECTOR_SIZE = 4096;

export interface BenchImage {
  file: Uint8Array;
  payloadLength: number;
  /** Bytes before the payload (OTA header, manifest, signature, chain, payload element head). */
  prefixLength: number;
  options: WorldOptions;
}

const cache = new Map<string, BenchImage>();

/** A signed image of `kib` KiB of payload, one version above `fromVersion` (default: the emulated device's). */
export function benchImage(kib: number, seed = 5, fromVersion = SIMULATED_DEVICE.currentVersion): BenchImage {
  const key = `${kib}/${seed}/${fromVersion}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const fresh = freshSignedImage(randomBytesSeeded(kib * 1024, seed), fromVersion + 1);
  const image: BenchImage = {
    file: fresh.file,
    payloadLength: kib * 1024,
    prefixLength: prefixLength(fresh.file),
    options: {
      image: fresh.file,
      trustStore: fresh.trustStore,
      currentVersion: fromVersion,
      hardwareVersion: SIMULATED_DEVICE.hardwareVersion,
      battery: false,
      loss: 0,
      powerCuts: 0,
      seed,
    },
  };
  cache.set(key, image);
  return image;
}

/** Offset of the payload data: the header and the three signed-metadata elements, and the payload's element head. */
function prefixLength(file: Uint8Array): number {
  let o = readU16(file, 6);
  for (let i = 0; i < 4; i++) {
    const tag = readU16(file, o);
    if (tag === 0x0000) return o + 6;
    o += 6 + readU32(file, o + 2);
  }
  throw new Error('no payload element');
}

export function blocksOf(bytes: number): number {
  return Math.ceil(bytes / BLOCK_SIZE);
}

export function sectorsOf(bytes: number): number {
  return Math.ceil(bytes / SECTOR_SIZE);
}
