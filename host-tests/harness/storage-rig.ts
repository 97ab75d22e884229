/**
 * A bare storage-level device for tests: one chip (FlashMedia) and, per boot, a fresh
 * instance (PowerRail + SimFlash) with a fixed running bank. No Node API: runs in XS too.
 */
import type { BootControl, Flash } from '../../device/ports.js';
import { makeLayout, sectorsNeeded, type LayoutConfig, type StorageLayout } from '../../device/storage/layout.js';
import { PowerRail } from './power-rail.js';
import { FlashMedia, type FlashProfile } from './sim-flash.js';

/** Two 16 KiB banks, one metadata sector each: 14 sectors of 4 KiB in all. */
export const SMALL_LAYOUT: LayoutConfig = { bankSize: 16 * 1024, metadataSize: 4096 };

export function chipFor(profile: FlashProfile, config: LayoutConfig = SMALL_LAYOUT, seed = 1): FlashMedia {
  const sectors = sectorsNeeded(profile.sectorSize, config);
  return new FlashMedia(profile, sectors * profile.sectorSize, seed);
}

export interface Instance {
  rail: PowerRail;
  flash: Flash;
  layout: StorageLayout;
  boot: BootControl & { restarted: boolean };
}

/** Boots one instance over `media` that believes `runningBank` is running. */
export function instance(media: FlashMedia, runningBank: number, config: LayoutConfig = SMALL_LAYOUT): Instance {
  const rail = new PowerRail();
  const flash = media.attach(rail);
  const boot = {
    restarted: false,
    runningBank: () => {
      rail.check();
      return runningBank;
    },
    restart() {
      rail.check();
      boot.restarted = true;
      rail.cut('restart');
    },
  };
  return { rail, flash, layout: makeLayout(flash, config), boot };
}

/** What `fn` threw, or undefined: for asserting on typed errors by code. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
