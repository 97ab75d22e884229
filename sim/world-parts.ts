/**
 * The parts every emulated world is made of, as functions, so that a world in the tests
 * (sim/world.ts) and the lin supervisor (tools/lin-supervisor) provision a part, serve an
 * image and boot the same way: the production line that provisions a fresh part, the
 * emulated Communications Hub over any link end, and the reference bootloader over any
 * Flash. No Node API: runs inside XS too.
 */
import { type DeviceBuild, provisionTrustAnchors } from '../device/agent/index.js';
import { nobleSha256 } from '../device/crypto/index.js';
import { encodeTrustStore, type TrustStore } from '../device/pki/index.js';
import type { Flash, Sha256 } from '../device/ports.js';
import { hashFlash, Journal, provisionBootRecord, type StorageLayout } from '../device/storage/index.js';
import { DEFAULT_SERVER, EmulatedCh, type ServerOptions, servedImage } from './ota-server.js';
import type { Rng } from './rng.js';
import { SimBootloader } from './sim-bootloader.js';

/**
 * A part on the production line: the device's own Flash port over it and its layout, and
 * the programmer that loads bytes before the part is fitted (an emulated chip takes them
 * as they are; a flash file takes them through its Flash port).
 */
export interface FactoryPart {
  flash: Flash;
  layout: StorageLayout;
  load(offset: number, bytes: Uint8Array): void;
}

export interface Factory {
  /** The factory build, loaded at bank 0's offset. */
  image: Uint8Array;
  /** Its version: the confirmed slot and the rollback floor. */
  version: number;
  /**
   * Trust anchors the build reads from flash (kept record and journal). Without them the
   * journal is only formatted, and the agent takes its anchors from its configuration.
   */
  anchors?: { build: DeviceBuild; trust: TrustStore };
}

/**
 * Provisions a fresh part: the factory build in bank 0, its boot-control record
 * (confirmed, floor = its version, digest read back from flash), then the trust anchors
 * or a formatted journal. The device/storage code the agent runs writes every record.
 */
export function provisionPart(part: FactoryPart, factory: Factory): void {
  const bank = part.layout.banks[0];
  if (factory.image.length > bank.size)
    throw new RangeError(`factory build of ${factory.image.length} bytes does not fit a ${bank.size}-byte bank`);
  part.load(bank.offset, factory.image);
  const digest = hashFlash(part.flash, nobleSha256, bank.offset, factory.image.length);
  provisionBootRecord(part.flash, part.layout, {
    bank: 0,
    version: factory.version,
    length: factory.image.length,
    digest,
  });
  if (factory.anchors)
    provisionTrustAnchors(part.flash, factory.anchors.build, encodeTrustStore(factory.anchors.trust));
  else Journal.open(part.flash, part.layout);
}

/** The CH's end of a link: frames out, frames in. */
export interface ChEnd {
  send(frame: Uint8Array): void;
  onReceive(handler: (frame: Uint8Array) => void): void;
}

/** The emulated CH on a link end, honest, serving these OTA files (options over DEFAULT_SERVER). */
export function emulatedCh(
  end: ChEnd,
  rng: Rng,
  server: Partial<ServerOptions> = {},
  files: readonly Uint8Array[] = [],
): EmulatedCh {
  const ch = new EmulatedCh(end, rng, { ...DEFAULT_SERVER, ...server });
  for (const file of files) ch.images.push(servedImage(file));
  return ch;
}

/** The reference bootloader (docs/BOOT.md) over a Flash (the portable SHA-256 unless another is given). */
export function bootloader(flash: Flash, layout: StorageLayout, sha256: Sha256 = nobleSha256): SimBootloader {
  return new SimBootloader(flash, layout, sha256);
}
