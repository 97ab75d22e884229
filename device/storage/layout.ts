/**
 * Where everything lives in the agent's flash region, derived from the Flash geometry and
 * a small config, and checked once so no other module re-derives offsets.
 *
 * Order (each part a whole number of sectors, from offset 0):
 *   boot-control copy A | copy B | journal sector 0 | journal sector 1 |
 *   kept record copy A | copy B | metadata bank 0 | metadata bank 1 | bank 0 | bank 1
 * The kept record holds what the device cannot learn again over the air (trust anchors,
 * counters) with the same two-copy redundancy as the boot record.
 * Boot records and the journal come first so a bootloader finds them at fixed offsets
 * whatever the bank size; each boot-record copy has its own sector so erasing one never
 * touches the other.
 */
import { OtaError } from '../errors.js';
import type { Flash } from '../ports.js';
import { StorageError } from './storage-errors.js';

export interface LayoutConfig {
  /** Bytes per bank; rounded up to whole sectors. Both banks are this size. */
  bankSize: number;
  /** Bytes reserved for each bank's metadata record (manifest, signatures, chain); rounded up to sectors. */
  metadataSize: number;
}

export interface BankRegion {
  index: 0 | 1;
  /** Byte offset of the payload area. */
  offset: number;
  size: number;
  firstSector: number;
  sectorCount: number;
  /** The metadata record's region for this bank. */
  metaOffset: number;
  metaSize: number;
  metaFirstSector: number;
  metaSectorCount: number;
}

export interface StorageLayout {
  sectorSize: number;
  writeAlign: number;
  erasedValue: 0xff | 0x00;
  /** Sector index of boot-control copy A and copy B. */
  bootSectors: readonly [number, number];
  /** Sector indexes of the two journal sectors. */
  journalSectors: readonly [number, number];
  /** Sector index of kept-record copy A and copy B (trust anchors, counters). */
  keptSectors: readonly [number, number];
  banks: readonly [BankRegion, BankRegion];
  /** Bytes the layout uses from offset 0. */
  used: number;
}

/** Sectors before the metadata records: boot-control A, B; journal 0, 1; kept record A, B. */
export const FIXED_SECTORS = 6;

/** Sectors a flash region needs for `config` (whole sectors of `sectorSize`). */
export function sectorsNeeded(sectorSize: number, config: LayoutConfig): number {
  return FIXED_SECTORS + 2 * Math.ceil(config.metadataSize / sectorSize) + 2 * Math.ceil(config.bankSize / sectorSize);
}

export function makeLayout(
  flash: Pick<Flash, 'size' | 'sectorSize' | 'writeAlign' | 'erasedValue'>,
  config: LayoutConfig,
): StorageLayout {
  const s = flash.sectorSize;
  const bad = (why: string): never => {
    throw new OtaError(StorageError.layout, why);
  };
  if (!Number.isInteger(s) || s < 256 || (s & (s - 1)) !== 0) bad(`sector size ${s} is not a power of two >= 256`);
  if (![1, 2, 4, 8, 16].includes(flash.writeAlign)) bad(`write alignment ${flash.writeAlign} unsupported`);
  if (flash.erasedValue !== 0xff && flash.erasedValue !== 0x00) bad('erased value must be 0xFF or 0x00');
  if (!(config.bankSize > 0) || !(config.metadataSize > 0)) bad('bank and metadata sizes must be positive');
  const bankSectors = Math.ceil(config.bankSize / s);
  const metaSectors = Math.ceil(config.metadataSize / s);
  const bank = (index: 0 | 1, metaFirst: number, first: number): BankRegion => ({
    index,
    offset: first * s,
    size: bankSectors * s,
    firstSector: first,
    sectorCount: bankSectors,
    metaOffset: metaFirst * s,
    metaSize: metaSectors * s,
    metaFirstSector: metaFirst,
    metaSectorCount: metaSectors,
  });
  const meta0 = FIXED_SECTORS;
  const meta1 = meta0 + metaSectors;
  const bank0 = meta1 + metaSectors;
  const bank1 = bank0 + bankSectors;
  const used = (bank1 + bankSectors) * s;
  if (used > flash.size) bad(`layout needs ${used} bytes, flash has ${flash.size}`);
  return {
    sectorSize: s,
    writeAlign: flash.writeAlign,
    erasedValue: flash.erasedValue,
    bootSectors: [0, 1],
    journalSectors: [2, 3],
    keptSectors: [4, 5],
    banks: [bank(0, meta0, bank0), bank(1, meta1, bank1)],
    used,
  };
}

/** The bank that is not `running`; anything but 0 or 1 is refused rather than guessed. */
export function inactiveBank(layout: StorageLayout, running: number): BankRegion {
  if (running !== 0 && running !== 1)
    throw new OtaError(StorageError.runningBank, `running bank ${running} is not 0 or 1`);
  return layout.banks[running === 0 ? 1 : 0];
}
