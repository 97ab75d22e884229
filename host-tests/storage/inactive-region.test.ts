/**
 * InactiveRegion, the only write path into a bank: it opens only while the confirmed image
 * runs, refuses every erase or program outside the inactive bank and its metadata record
 * (before touching flash, naming what was asked), releases a fallback the boot record still
 * holds exactly once, and turns a running-bank port that throws anything into a typed error.
 */
import { describe, expect, it } from 'vitest';
import type { Flash } from '../../device/ports.js';
import { readBootRecord, writeBootRecord, type BootRecord } from '../../device/storage/boot-record.js';
import { InactiveRegion } from '../../device/storage/inactive-region.js';
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const digest = (n: number) => new Uint8Array(32).fill(n);

function confirmedOn(bank: 0 | 1, extra: Partial<BootRecord> = {}): BootRecord {
  return {
    seq: 1,
    state: 'confirmed',
    trialBootsLeft: 0,
    floor: 0x10000,
    trialWindowSeconds: 0,
    confirmed: { bank, version: 0x20000, length: 1000, digest: digest(2) },
    ...extra,
  };
}

/** A chip whose boot record says `record` (none when undefined), seen by an instance running `running`. */
function rig(running: number, record?: BootRecord, config?: { bankSize: number; metadataSize: number }) {
  const media = chipFor(NOR_FF_ALIGN4, config);
  const dev = instance(media, running, config);
  if (record) writeBootRecord(dev.flash, dev.layout, record);
  return { media, ...dev };
}

describe('InactiveRegion opens', () => {
  it('on a blank chip (nothing to protect yet) and while the confirmed image runs: the other bank', () => {
    const blank = rig(1);
    expect(new InactiveRegion(blank.flash, blank.layout, blank.boot).bank.index).toBe(0);
    const confirmed = rig(0, confirmedOn(0));
    expect(new InactiveRegion(confirmed.flash, confirmed.layout, confirmed.boot).bank.index).toBe(1);
  });

  it('never while a trial is pending or running, nor when the confirmed image is not the one running', () => {
    const trial = confirmedOn(0, {
      state: 'trial',
      trialBootsLeft: 1,
      trialWindowSeconds: 600,
      trial: { bank: 1, version: 0x30000, length: 1000, digest: digest(3) },
    });
    // The trial has not booted yet (the confirmed image still runs): its bank is not free.
    const pending = rig(0, trial);
    const e1 = refusal(() => new InactiveRegion(pending.flash, pending.layout, pending.boot));
    expect(e1.message).toBe('STORAGE_TRIAL_PENDING: bank 1 is not free: it holds the image armed for a trial boot');
    // The trial runs: the confirmed image in bank 0 is its fallback.
    const running = rig(1, trial);
    const e2 = refusal(() => new InactiveRegion(running.flash, running.layout, running.boot));
    expect(e2.message).toBe(
      'STORAGE_TRIAL_PENDING: bank 0 is not free: it holds the fallback of the trial image that runs',
    );
    // Confirmed in bank 1 while bank 0 runs (the bootloader fell back without saying so).
    const odd = rig(0, confirmedOn(1));
    const e3 = refusal(() => new InactiveRegion(odd.flash, odd.layout, odd.boot));
    expect(e3.message).toBe(
      'STORAGE_TRIAL_PENDING: bank 1 is not free: the confirmed image is in bank 1, not the one running',
    );
    for (const r of [pending, running, odd]) expect(r.media.misuse).toEqual([]);
  });

  it('a running-bank port that throws anything (an Error, a string, null) is STORAGE_RUNNING_BANK naming it', () => {
    const { flash, layout } = rig(0);
    for (const [thrown, words] of [
      [new Error('register unreadable'), 'register unreadable'],
      ['no answer', 'no answer'],
      [null, 'null'],
    ] as const) {
      const boot = {
        runningBank: (): number => {
          throw thrown;
        },
        restart() {},
      };
      const e = refusal(() => new InactiveRegion(flash, layout, boot));
      expect(e.message).toBe(`STORAGE_RUNNING_BANK: running bank unknown: ${words}`);
    }
  });
});

describe('InactiveRegion bounds', () => {
  it('refuses every erase outside the bank and its metadata record, before any flash operation', () => {
    const { media, flash, layout, boot } = rig(0, confirmedOn(0));
    const region = new InactiveRegion(flash, layout, boot);
    const { sectorCount, metaSectorCount } = region.bank;
    const before = media.ops;
    for (const [call, what] of [
      [() => region.eraseBankSector(-1), 'bank sector -1'],
      [() => region.eraseBankSector(sectorCount), `bank sector ${sectorCount}`],
      [() => region.eraseBankSector(0.5), 'bank sector 0.5'],
      [() => region.eraseMetaSector(-1), 'metadata sector -1'],
      [() => region.eraseMetaSector(metaSectorCount), `metadata sector ${metaSectorCount}`],
      [() => region.eraseMetaSector(0.5), 'metadata sector 0.5'],
    ] as const) {
      expect(refusal(call).message).toBe(`STORAGE_RUNNING_BANK: ${what} is outside the inactive bank 1`);
    }
    expect(media.ops).toBe(before);
  });

  it('refuses every program that starts before or ends past the bank or its record; one that ends at the end is taken', () => {
    const { media, flash, layout, boot } = rig(0, confirmedOn(0));
    const region = new InactiveRegion(flash, layout, boot);
    const { size, metaSize } = region.bank;
    const four = new Uint8Array([1, 2, 3, 4]);
    const eight = new Uint8Array(8).fill(5);
    const before = media.ops;
    for (const [call, what] of [
      [() => region.programBank(-4, four), 'bank bytes -4+4'],
      [() => region.programBank(size - 4, eight), `bank bytes ${size - 4}+8`],
      [() => region.programMeta(-4, four), 'metadata bytes -4+4'],
      [() => region.programMeta(metaSize - 4, eight), `metadata bytes ${metaSize - 4}+8`],
    ] as const) {
      expect(refusal(call).message).toBe(`STORAGE_RUNNING_BANK: ${what} is outside the inactive bank 1`);
    }
    expect(media.ops).toBe(before);
    // The last word of each is the region's own.
    region.programBank(size - 4, four);
    region.programMeta(metaSize - 4, four);
    expect(media.peek(region.bank.offset + size - 4, 4)).toEqual(four);
    expect(media.peek(region.bank.metaOffset + metaSize - 4, 4)).toEqual(four);
    expect(media.misuse).toEqual([]);
  });

  it('reads and erases at the inactive bank’s own offsets: payload, and each sector of a two-sector record', () => {
    const config = { bankSize: 16 * 1024, metadataSize: 8192 };
    const { media, flash, layout, boot } = rig(0, confirmedOn(0), config);
    const region = new InactiveRegion(flash, layout, boot);
    expect(region.bank.metaSectorCount).toBe(2);
    const bytes = new Uint8Array([9, 8, 7, 6]);
    region.programBank(8, bytes);
    region.programMeta(4096 + 8, bytes);
    const got = new Uint8Array(4);
    region.readBank(8, got);
    expect(got).toEqual(bytes);
    region.readMeta(4096 + 8, got);
    expect(got).toEqual(bytes);
    const erases = Array.from(media.eraseCount);
    region.eraseMetaSector(1);
    const want = erases.slice();
    want[region.bank.metaFirstSector + 1]++;
    expect(Array.from(media.eraseCount)).toEqual(want);
    region.readMeta(4096 + 8, got);
    expect(got).toEqual(new Uint8Array(4).fill(0xff));
  });
});

describe('InactiveRegion and the fallback', () => {
  /** The same port, counting reads that start in the boot-record sectors. */
  function countingBootReads(flash: Flash, bootEnd: number): { flash: Flash; reads: () => number } {
    let n = 0;
    const counted: Flash = {
      size: flash.size,
      sectorSize: flash.sectorSize,
      writeAlign: flash.writeAlign,
      erasedValue: flash.erasedValue,
      read(offset, into) {
        if (offset < bootEnd) n++;
        flash.read(offset, into);
      },
      erase: (sector) => flash.erase(sector),
      program: (offset, data) => flash.program(offset, data),
    };
    return { flash: counted, reads: () => n };
  }

  it('releases a held fallback once, before the first change, raising the floor; later changes do not look again', () => {
    const record = confirmedOn(0, { fallback: { bank: 1, version: 0x18000, length: 900, digest: digest(1) } });
    const { media, flash, layout, boot } = rig(0, record);
    const { flash: counted, reads } = countingBootReads(flash, 2 * layout.sectorSize);
    const region = new InactiveRegion(counted, layout, boot);
    const bootErases = () => media.eraseCount[0] + media.eraseCount[1];
    const e0 = bootErases();
    region.eraseBankSector(0);
    const released = readBootRecord(flash, layout);
    expect(released.fallback).toBeUndefined();
    expect(released.floor).toBe(0x20000);
    expect(bootErases()).toBe(e0 + 1);
    // Every later change goes straight to the bank: no boot record read or written again.
    const r0 = reads();
    region.programBank(0, new Uint8Array(256).fill(1));
    region.eraseMetaSector(0);
    region.programMeta(0, new Uint8Array(4).fill(2));
    expect(reads()).toBe(r0);
    expect(bootErases()).toBe(e0 + 1);
  });

  it('a record whose fallback is not this bank is left alone', () => {
    const { media, flash, layout, boot } = rig(0, confirmedOn(0));
    const region = new InactiveRegion(flash, layout, boot);
    const e0 = media.eraseCount[0] + media.eraseCount[1];
    region.eraseBankSector(0);
    expect(media.eraseCount[0] + media.eraseCount[1]).toBe(e0);
  });
});
