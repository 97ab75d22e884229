/**
 * Journal edges the scenario tests do not pin down: what `stats`, `seqOf` and `types` report,
 * the append refusals at their bounds (with their words), a record changed at rest after it
 * was indexed, the sector chosen when both headers are valid across the epoch's 32-bit wrap,
 * and the serial-number order itself.
 */
import { describe, expect, it } from 'vitest';
import { JOURNAL_MAX_BODY, Journal, serialAfter } from '../../device/storage/journal.js';
import { writeU16, writeU32 } from '../../device/util/bytes.js';
import { crc32 } from '../../device/util/crc32.js';
import { NOR_00_ALIGN8, NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const SECTOR_MAGIC = 0x314a4841;

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
    const media = chipFor(NOR_FF_ALIGN4);
    const { journal } = open(media);
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
    // Type 127 is a record start when the sector is scanned again.
    expect(open(media).journal.latest(127)).toEqual(new Uint8Array(0));
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

/** Programs a whole record by hand at `pos` of journal sector `which` (NOR_FF_ALIGN4: 4-byte units, 8-byte slots). */
function plantRecord(
  media: FlashMedia,
  which: 0 | 1,
  pos: number,
  type: number,
  seq: number,
  body: Uint8Array,
): number {
  const { flash, layout } = instance(media, 0);
  const data = new Uint8Array(Math.ceil((8 + body.length + 4) / 4) * 4).fill(0xff);
  data[0] = type;
  data[1] = ~type & 0xff;
  writeU16(data, 2, body.length);
  writeU32(data, 4, seq);
  data.set(body, 8);
  writeU32(data, 8 + body.length, crc32(data, 0, 8 + body.length));
  const at = layout.journalSectors[which] * layout.sectorSize + pos;
  flash.program(at, data);
  flash.program(at + data.length, new Uint8Array([0xc3, 0x5a, 0x3c, 0xa5]));
  return Math.ceil((data.length + 4) / 8) * 8;
}

describe('journal headers and slots planted by hand', () => {
  it('a header with a right CRC but the wrong magic, or the right magic and a wrong CRC, is not a header', () => {
    for (const damage of ['magic', 'crc'] as const) {
      const media = chipFor(NOR_FF_ALIGN4);
      plantHeader(media, 0, 1);
      const { flash, layout } = instance(media, 0);
      const h = new Uint8Array(16).fill(0xff);
      writeU32(h, 0, damage === 'magic' ? SECTOR_MAGIC ^ 0x100 : SECTOR_MAGIC);
      writeU32(h, 4, 5);
      writeU32(h, 8, crc32(h, 0, 8) ^ (damage === 'crc' ? 1 : 0));
      flash.program(layout.journalSectors[1] * layout.sectorSize, h);
      const { journal } = open(media);
      // Sector 1's epoch 5 would win if its header counted.
      expect(journal.stats(), damage).toMatchObject({ activeSector: layout.journalSectors[0], epoch: 1 });
    }
  });

  it('one valid header far along in epochs is the active sector whatever the other reads', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    plantHeader(media, 0, 0x90000000);
    const { layout, journal } = open(media);
    expect(journal.stats()).toMatchObject({ activeSector: layout.journalSectors[0], epoch: 0x90000000 });
  });

  it('a slot that is not a plausible record start is skipped one slot at a time: the record after it is found', () => {
    const junk: [string, number[]][] = [
      ['type 0', [0, 0xff, 4, 0]],
      ['type 128', [128, 0x7f, 4, 0]],
      ['type without its complement', [5, 0x00, 4, 0]],
      ['length past the limit', [5, 0xfa, 0x01, 0x08]], // 2049
    ];
    for (const [what, head] of junk) {
      const media = chipFor(NOR_FF_ALIGN4);
      plantHeader(media, 0, 1);
      const { flash, layout } = instance(media, 0);
      const base = layout.journalSectors[0] * layout.sectorSize;
      const slot = new Uint8Array(8).fill(0xff);
      slot.set(head);
      flash.program(base + 16, slot);
      const ext = plantRecord(media, 0, 24, 5, 7, new Uint8Array([4, 5, 6]));
      const { journal } = open(media);
      expect(journal.latest(5), what).toEqual(new Uint8Array([4, 5, 6]));
      expect(journal.stats().freeBytes, what).toBe(layout.sectorSize - 24 - ext);
      expect(journal.stats().nextSeq, what).toBe(8);
    }
  });

  it('a chip whose journal holds neither a header nor a record is formatted: the dirty sector erased first', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    flash.program(layout.journalSectors[0] * layout.sectorSize + 100, new Uint8Array([1, 2, 3, 4]));
    const before = media.eraseCount[layout.journalSectors[0]];
    const { journal } = open(media);
    expect(media.eraseCount[layout.journalSectors[0]]).toBe(before + 1);
    expect(journal.stats()).toMatchObject({ activeSector: layout.journalSectors[0], epoch: 1 });
    journal.append(3, new Uint8Array([1]));
    expect(open(media).journal.latest(3)).toEqual(new Uint8Array([1]));
    expect(media.misuse).toEqual([]);
    // A blank chip is formatted without an erase.
    const blank = chipFor(NOR_FF_ALIGN4);
    open(blank);
    expect(Array.from(blank.eraseCount).every((n) => n === 0)).toBe(true);
  });
});

describe('journal slots at the sector end', () => {
  it('a plausible record start whose extent runs past the sector is skipped one slot: appends never run past the end', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    plantHeader(media, 0, 1);
    const { flash, layout } = instance(media, 0);
    const S = layout.sectorSize;
    const slot = new Uint8Array(8).fill(0xff);
    slot.set([5, 0xfa, 100, 0]);
    flash.program(layout.journalSectors[0] * S + S - 16, slot);
    const { journal } = open(media);
    expect(journal.stats().freeBytes).toBe(8);
    journal.append(5, new Uint8Array([1]));
    expect(journal.stats().rotations).toBe(1);
    expect(open(media).journal.latest(5)).toEqual(new Uint8Array([1]));
    expect(media.misuse).toEqual([]);
  });

  it('a journal that cannot be formatted (its sector will not erase) is STORAGE_FLASH_ERASE from open', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    flash.program(layout.journalSectors[0] * layout.sectorSize + 100, new Uint8Array([1, 2, 3, 4]));
    media.wearOut(layout.journalSectors[0], 'erase-throws');
    expect(refusal(() => Journal.open(flash, layout)).code).toBe('STORAGE_FLASH_ERASE');
  });

  it('a record that does not fit even a freshly rotated sector is JOURNAL_FULL with its words', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { journal } = open(media);
    journal.append(10, new Uint8Array(JOURNAL_MAX_BODY));
    journal.append(11, new Uint8Array(1500));
    expect(refusal(() => journal.append(12, new Uint8Array(JOURNAL_MAX_BODY))).message).toBe(
      'JOURNAL_FULL: record does not fit a freshly rotated sector',
    );
    expect(open(media).journal.latest(11)).toEqual(new Uint8Array(1500));
  });
});

describe('journal appends that meet a bad part', () => {
  it('a record that exactly fills the sector is appended without a rotation', () => {
    const { journal } = open(chipFor(NOR_FF_ALIGN4));
    // Fill until less than two maximum records are left, then size one record to the byte.
    while (journal.stats().freeBytes > 1500) journal.append(2, new Uint8Array(500));
    const free = journal.stats().freeBytes;
    // extent = round8(round4(8 + n + 4) + 4): n = free - 16 fits exactly when free is a multiple of 8.
    journal.append(3, new Uint8Array(free - 16));
    expect(journal.stats()).toMatchObject({ freeBytes: 0, rotations: 0 });
    journal.append(3, new Uint8Array(1));
    expect(journal.stats().rotations).toBe(1);
  });

  it('a program that lies is written once more in the next slot; a second lie is STORAGE_VERIFY_MISMATCH', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { journal, reopen } = open(media);
    journal.append(4, new Uint8Array([1]));
    const free = journal.stats().freeBytes;
    media.silentProgramAt(media.ops); // the data program of the next append
    journal.append(4, new Uint8Array([2, 2]));
    expect(journal.latest(4)).toEqual(new Uint8Array([2, 2]));
    expect(journal.stats()).toMatchObject({ appended: 2, freeBytes: free - 2 * 24 });
    expect(reopen().latest(4)).toEqual(new Uint8Array([2, 2]));
    // Two lies in a row: refused, and the record before stands.
    media.silentProgramAt(media.ops);
    media.silentProgramAt(media.ops + 1);
    expect(refusal(() => journal.append(4, new Uint8Array([3]))).code).toBe('STORAGE_VERIFY_MISMATCH');
    expect(reopen().latest(4)).toEqual(new Uint8Array([2, 2]));
    expect(media.misuse).toEqual([]);
  });

  it('on ECC flash a lie reads back as a read fault, and is written once more the same way', () => {
    const media = chipFor(NOR_00_ALIGN8);
    const { flash, layout } = instance(media, 0);
    const journal = Journal.open(flash, layout);
    media.silentProgramAt(media.ops);
    journal.append(4, new Uint8Array([9]));
    expect(Journal.open(flash, layout).latest(4)).toEqual(new Uint8Array([9]));
    expect(journal.stats().appended).toBe(1);
  });

  it('a program the port refuses is not retried: STORAGE_FLASH_WRITE after one attempt', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { layout, journal } = open(media);
    media.wearOut(layout.journalSectors[0], 'program-throws');
    const ops = media.ops;
    expect(refusal(() => journal.append(4, new Uint8Array([1]))).code).toBe('STORAGE_FLASH_WRITE');
    expect(media.ops - ops).toBe(1);
    expect(journal.stats().appended).toBe(0);
  });

  it('a record that went bad at rest before a rotation is dropped by it; the other records move', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { layout, journal, reopen } = open(media);
    journal.append(6, new Uint8Array([6, 6, 6, 6]));
    journal.append(7, new Uint8Array([7]));
    // Type 6's body, after the 16-byte header and its 8-byte record head: two bits, unreadable on ECC, wrong CRC here.
    media.flipBits(layout.journalSectors[0] * layout.sectorSize + 16 + 8, 0x03);
    while (journal.stats().rotations === 0) journal.append(8, new Uint8Array(900));
    expect(journal.types()).toEqual([7, 8]);
    expect(journal.latest(7)).toEqual(new Uint8Array([7]));
    expect(reopen().types()).toEqual([7, 8]);
    expect(media.misuse).toEqual([]);
  });
});
