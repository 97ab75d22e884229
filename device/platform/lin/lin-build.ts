/**
 * The lin build's device identity and flash part, shared by the build (main-lin.ts) and
 * its supervisor (tools/lin-supervisor), which provisions the flash file to match.
 * Banks are 4 MiB because the payload is a whole Moddable build (mc.so, about 2.3 MB).
 */
import { sectorsNeeded } from '../../storage/layout.js';
import { DEFAULT_BUILD, type DeviceBuild } from '../../agent/device-config.js';
import type { FlashGeometry } from './file-flash.js';

export const LIN_BUILD: DeviceBuild = {
  ...DEFAULT_BUILD,
  layout: { bankSize: 4 * 1024 * 1024, metadataSize: 8192 },
};

/** A 0xFF-erased NOR part with 4 KiB sectors and 4-byte writes (the emulated default profile). */
export const LIN_FLASH: Omit<FlashGeometry, 'size'> = { sectorSize: 4096, writeAlign: 4, erasedValue: 0xff };

/** Flash size: boot records, journal, two metadata records, two banks. */
export function linFlashSize(): number {
  return sectorsNeeded(LIN_FLASH.sectorSize, LIN_BUILD.layout) * LIN_FLASH.sectorSize;
}

/** Seconds a trial boot has to confirm before the supervisor's watchdog resets it. */
export const LIN_TRIAL_WINDOW_SECONDS = 120;
/** The self-test's deadline, below the trial window. */
export const LIN_SELF_TEST_MS = 60_000;
