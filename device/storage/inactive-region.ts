/**
 * The write side of the one bank (and its metadata record) the agent may change: the bank
 * that is not running. It is built from the BootControl port, never from a bank number a
 * caller passes, and it refuses any erase or program outside its own ranges. This is what
 * makes writing the running bank impossible through the storage API.
 *
 * While a trial runs, the other bank is the fallback image: the boot-control record is
 * read first and the region refuses to open (STORAGE_TRIAL_PENDING) unless the confirmed
 * image is the one running. A chip with no valid record yet (before provisioning) has no
 * fallback to protect and is allowed.
 *
 * After a confirm, this bank holds the previous image, which the boot record names as the
 * fallback. Before the first erase or program through this region, the record is written
 * without it (`releaseFallback`): from then on the bootloader never counts on this bank.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { BootControl, Flash } from '../ports.js';
import { type BootRecord, readBootRecordCopies } from './boot-record.js';
import { releaseFallback } from './boot-control.js';
import { eraseSector, programFlash, readFlash } from './flash-io.js';
import { inactiveBank, type BankRegion, type StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

export class InactiveRegion {
  readonly bank: BankRegion;
  /** The standing record names this bank as the fallback: release it before the first change. */
  private fallbackHeld: boolean;

  constructor(
    readonly flash: Flash,
    readonly layout: StorageLayout,
    boot: BootControl,
  ) {
    let running: number;
    try {
      running = boot.runningBank();
    } catch (e) {
      throw new OtaError(StorageError.runningBank, `running bank unknown: ${(e as Error)?.message ?? String(e)}`);
    }
    this.bank = inactiveBank(layout, running);
    let current;
    try {
      current = readBootRecordCopies(flash, layout).current;
    } catch (e) {
      throw asOtaError(e, StorageError.flashRead);
    }
    if (current && (current.state !== 'confirmed' || current.confirmed.bank !== running)) {
      throw new OtaError(
        StorageError.trialPending,
        `bank ${this.bank.index} is not free: ${whyHeld(current, running)}`,
      );
    }
    this.fallbackHeld = current?.fallback?.bank === this.bank.index;
  }

  /** Erases sector `index` of the payload area (0-based within the bank). */
  eraseBankSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.bank.sectorCount) this.refuse(`bank sector ${index}`);
    this.beforeChange();
    eraseSector(this.flash, this.bank.firstSector + index);
  }

  /** Erases sector `index` of the metadata area (0-based within the record). */
  eraseMetaSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.bank.metaSectorCount)
      this.refuse(`metadata sector ${index}`);
    this.beforeChange();
    eraseSector(this.flash, this.bank.metaFirstSector + index);
  }

  /** Programs at a payload offset within the bank. */
  programBank(at: number, data: Uint8Array): void {
    if (at < 0 || at + data.length > this.bank.size) this.refuse(`bank bytes ${at}+${data.length}`);
    this.beforeChange();
    programFlash(this.flash, this.bank.offset + at, data);
  }

  /** Programs at an offset within the metadata record. */
  programMeta(at: number, data: Uint8Array): void {
    if (at < 0 || at + data.length > this.bank.metaSize) this.refuse(`metadata bytes ${at}+${data.length}`);
    this.beforeChange();
    programFlash(this.flash, this.bank.metaOffset + at, data);
  }

  readBank(at: number, into: Uint8Array): void {
    readFlash(this.flash, this.bank.offset + at, into);
  }

  readMeta(at: number, into: Uint8Array): void {
    readFlash(this.flash, this.bank.metaOffset + at, into);
  }

  private beforeChange(): void {
    if (!this.fallbackHeld) return;
    releaseFallback(this.flash, this.layout, this.bank.index);
    this.fallbackHeld = false;
  }

  private refuse(what: string): never {
    throw new OtaError(StorageError.runningBank, `${what} is outside the inactive bank ${this.bank.index}`);
  }
}

/** Why the bank that is not running may not be written, in words a supplier's report can carry. */
function whyHeld(record: BootRecord, running: number): string {
  if (record.state === 'trial' && record.trial?.bank !== running) return 'it holds the image armed for a trial boot';
  if (record.state === 'trial') return 'it holds the fallback of the trial image that runs';
  return `the confirmed image is in bank ${record.confirmed.bank}, not the one running`;
}
