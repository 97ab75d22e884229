/**
 * Journal edges the scenario tests do not pin down: what `stats`, `seqOf` and `types` report,
 * the append refusals at their bounds (with their words), a record changed at rest after it
 * was indexed, the sector chosen when both headers are valid across the epoch's 32-bit wrap,
 * and the serial-number order itself.
 */
import { describe, expect, it } from 'vitest';
import { OtaError } from '../../device/errors.js';
import { JOURNAL_MAX_BODY, Journal, serialAfter } from '../../device/storage/journal.js';
import { writeU32 } from '../../device/util/bytes.js';
import { crc32 } from '../../device/util/crc32.js';
import { NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';

const SECTOR_MAGIC = 0x314a4841;

function refusal(fn: () => unknown): OtaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtaError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

function open(media: FlashMedia) {
  const { flash, layout } = instance(media, 0);
  return { layout, journal: Journal.open(flash, layout), reopen: () => Journal.open(flash, layout) };
}

/** Programs a journal sector header by hand (after erasing the sector). */
function plantHeader(media: FlashMedia, which: 0 | 1, epoch: number): void {
  const { flash, layout } = instance(media, 0);
  const h = new Uint8Array(16).fill(0xff);
  writeU32(h, 0, SECTOR_MAGIC);
  writeU32(h, 4, epoch);
  writeU32(h, 8, crc32(h, 0, 8));
  flash.erase(layout.journalSectors[which]);
  flash.program(layout.journalSectors[which] * layout.sectorSize, h);
}

describe('journal bookkeeping', () => {
  it('stats, seqOf and types say what is stored, through appends and a rotation', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { layout, journal, reopen } = open(media);
    const S = layout.sectorSize;
    // 4-byte writes: 16-byte header; a record of n body bytes takes 8 + n + 4 rounded to 4,
    // plus a 4-byte commit word, rounded to 8.
    expect(journal.stats()).toEqual({
      activeSector: layout.journalSectors[0],
      epoch: 1,
      freeBytes: S - 16,
      nextSeq: 1,
      appended: 0,
      rotations: 0,
    });
    expect(journal.seqOf(3)).toBe(0);
    expect(journal.types()).toEqual([]);
    journal.append(9, new Uint8Array(5));
    journal.append(3, new Uint8Array(20));
    journal.append(9, new Uint8Array(1));
    expect(journal.stats()).toEqual({
      activeSector: layout.journalSectors[0],
      epoch: 1,
      freeBytes: S - 16 - 24 - 40 - 24,
      nextSeq: 4,
      appended: 3,
      rotations: 0,
    });
    expect([journal.seqOf(3), journal.seqOf(9)]).toEqual([2, 3]);
    expect(journal.types()).toEqual([3, 9]);
    // A reopen finds the same.
    expect(reopen().stats()).toMatchObject({ freeBytes: S - 104, nextSeq: 4, appended: 0 });
    // Fill the sector: the rotation copies the two latest records to the other sector (epoch 2).
    const big = new Uint8Array(1000);
    while (journal.stats().rotations === 0) journal.append(4, big);
    const after = journal.stats();
    expect(after.activeSector).toBe(layout.journalSectors[1]);
    expect(after.epoch).toBe(2);
    expect(journal.types()).toEqual([3, 4, 9]);
    expect(journal.seqOf(9)).toBe(3);
    expect(reopen().stats()).toMatchObject({ activeSector: layout.journalSectors[1], epoch: 2 });
  });

  it('refuses a type outside 1..127 and a body over the limit, naming them; the limits themselves are taken', () => {
    const { journal } = open(chipFor(NOR_FF_ALIGN4));
    for (const t of [0, 128, 1.5]) {
      expect(refusal(() => journal.append(t, new Uint8Array(1))).message).toBe(
        `JOURNAL_RECORD_INVALID: record type ${t}`,
      );
    }
    expect(refusal(() => journal.append(1, new Uint8Array(JOURNAL_MAX_BODY + 1))).message).toBe(
      `JOURNAL_RECORD_INVALID: record body of ${JOURNAL_MAX_BODY + 1} bytes`,
    );
    journal.append(1, new Uint8Array(JOURNAL_MAX_BODY).fill(1));
    journal.append(127, new Uint8Array(0));
    expect(journal.types()).toEqual([1, 127]);
    expect(journal.latest(127)).toEqual(new Uint8Array(0));
    expect(journal.stats().appended).toBe(2);
  });

  it('a record that changed at rest after it was indexed is STORAGE_VERIFY_MISMATCH, not wrong bytes', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { layout, journal } = open(media);
    journal.append(5, new Uint8Array([1, 2, 3, 4]));
    // The body starts 8 bytes into the record, which starts after the 16-byte header.
    media.flipBits(layout.journalSectors[0] * layout.sectorSize + 16 + 8 + 1, 0x04);
    expect(refusal(() => journal.latest(5)).message).toBe(
      'STORAGE_VERIFY_MISMATCH: journal record of type 5 changed since it was read',
    );
  });
});

describe('journal sectors', () => {
  it('with both headers valid, the later epoch is active, across the 32-bit wrap', () => {
    for (const [a, b, active] of [
      [1, 2, 1],
      [7, 3, 0],
      [0xffffffff, 0, 1],
      [0, 0xffffffff, 0],
    ] as const) {
      const media = chipFor(NOR_FF_ALIGN4);
      plantHeader(media, 0, a);
      plantHeader(media, 1, b);
      const { layout, journal } = open(media);
      const label = `epochs ${a}, ${b}`;
      expect(journal.stats().activeSector, label).toBe(layout.journalSectors[active]);
      expect(journal.stats().epoch, label).toBe(active === 0 ? a : b);
      // Appends go to the active sector, and nothing was formatted.
      journal.append(2, new Uint8Array([active]));
      expect(media.peek(layout.journalSectors[active] * layout.sectorSize + 16, 1)[0], label).toBe(2);
      expect(media.eraseCount[layout.journalSectors[0]] + media.eraseCount[layout.journalSectors[1]], label).toBe(2);
    }
  });

  it('serial order: later within half the space, never equal, and across the wrap', () => {
    expect(serialAfter(2, 1)).toBe(true);
    expect(serialAfter(1, 2)).toBe(false);
    expect(serialAfter(5, 5)).toBe(false);
    expect(serialAfter(0, 0xffffffff)).toBe(true);
    expect(serialAfter(0x7fffffff, 0)).toBe(true);
    expect(serialAfter(0x80000000, 0)).toBe(false);
  });
});
