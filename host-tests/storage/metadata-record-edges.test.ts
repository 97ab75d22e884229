/**
 * Metadata-record edges the scenario tests do not reach: the refusals before anything is
 * written (empty or oversized body, a digest that is not 32 bytes, bank 2), a body whose
 * CRC no longer matches, the factory step over sectors that do not read erased, headers
 * planted by hand whose CRC is right but whose magic or length is not, and a record that
 * spans two sectors.
 */
import { describe, expect, it } from 'vitest';
import { OtaError } from '../../device/errors.js';
import {
  metadataCapacity,
  provisionMetadata,
  readMetadata,
  readMetadataImage,
  writeMetadata,
} from '../../device/storage/metadata-record.js';
import { writeU32 } from '../../device/util/bytes.js';
import { crc32 } from '../../device/util/crc32.js';
import { NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';

const image = { version: 0x20000, length: 1000, digest: new Uint8Array(32).fill(9) };
const body = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtaError) return e.message;
    throw e;
  }
  return 'no refusal';
}

describe('metadata record edges', () => {
  it('an empty or oversized body, or a digest that is not 32 bytes, is refused before any flash operation', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, boot, layout } = instance(media, 0);
    const cap = metadataCapacity(layout);
    const before = media.ops;
    expect(message(() => writeMetadata({ flash, boot }, layout, new Uint8Array(0), image))).toBe(
      `STORAGE_TOO_LARGE: metadata of 0 bytes (capacity ${cap})`,
    );
    expect(message(() => writeMetadata({ flash, boot }, layout, new Uint8Array(cap + 1), image))).toBe(
      `STORAGE_TOO_LARGE: metadata of ${cap + 1} bytes (capacity ${cap})`,
    );
    expect(message(() => writeMetadata({ flash, boot }, layout, body, { ...image, digest: new Uint8Array(31) }))).toBe(
      'JOURNAL_RECORD_INVALID: metadata digest must be 32 bytes',
    );
    expect(media.ops).toBe(before);
    writeMetadata({ flash, boot }, layout, new Uint8Array(cap).fill(4), image);
    expect(readMetadata(flash, layout, 1)?.length).toBe(cap);
  });

  it('bank 2 is refused, not guessed', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    expect(message(() => readMetadata(flash, layout, 2))).toBe('STORAGE_RUNNING_BANK: bank 2');
    expect(message(() => readMetadataImage(flash, layout, 2))).toBe('STORAGE_RUNNING_BANK: bank 2');
  });

  it('a body whose CRC no longer matches has no metadata, while its header still names the image', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, boot, layout } = instance(media, 0);
    writeMetadata({ flash, boot }, layout, body, image);
    const bank = layout.banks[1];
    // The body starts after the 56-byte header and the commit word.
    media.flipBits(bank.metaOffset + 60 + 2, 0x01);
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
    expect(readMetadataImage(flash, layout, 1)).toEqual(image);
  });

  it('the factory step erases a metadata sector only when it does not read erased', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    const sector = layout.banks[0].metaFirstSector;
    const erases = () => media.eraseCount[sector];
    const start = erases();
    provisionMetadata(flash, layout, 0, body, image);
    expect(erases()).toBe(start);
    provisionMetadata(flash, layout, 0, new Uint8Array([9, 9]), { ...image, version: 0x30000 });
    expect(erases()).toBe(start + 1);
    expect(media.misuse).toEqual([]);
    expect(readMetadata(flash, layout, 0)).toEqual(new Uint8Array([9, 9]));
    expect(readMetadataImage(flash, layout, 0)?.version).toBe(0x30000);
  });
});

/** Two metadata sectors per bank (4 KiB sectors): a record may span both. */
const TWO_SECTOR_META = { bankSize: 16 * 1024, metadataSize: 8192 };

/**
 * Programs bank `bank`'s metadata header by hand (after erasing the record's first sector):
 * the given magic and body length, a right header CRC, the commit word, and `body` after it
 * with its right CRC. The layout is NOR_FF_ALIGN4's: 56-byte header, 4-byte commit word.
 */
function plantHeader(media: FlashMedia, bank: 0 | 1, body: Uint8Array, fields: { magic?: number; length?: number }) {
  const { flash, layout } = instance(media, 0);
  const at = layout.banks[bank].metaOffset;
  const bytes = new Uint8Array(alignTo4(60 + body.length)).fill(layout.erasedValue);
  writeU32(bytes, 0, fields.magic ?? 0x444d4841);
  writeU32(bytes, 4, fields.length ?? body.length);
  writeU32(bytes, 8, crc32(body));
  writeU32(bytes, 12, image.version);
  writeU32(bytes, 16, image.length);
  bytes.set(image.digest, 20);
  writeU32(bytes, 52, crc32(bytes, 0, 52));
  bytes.set([0xc3, 0x5a, 0x3c, 0xa5], 56);
  bytes.set(body, 60);
  flash.erase(layout.banks[bank].metaFirstSector);
  flash.program(at, bytes);
}

const alignTo4 = (n: number) => Math.ceil(n / 4) * 4;

describe('metadata record header checks', () => {
  it('a header with a right CRC but the wrong magic is not taken as a metadata record', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    plantHeader(media, 1, body, {});
    // The hand-planted record is a valid one: the checks below fail on the magic alone.
    expect(readMetadata(flash, layout, 1)).toEqual(body);
    expect(readMetadataImage(flash, layout, 1)).toEqual(image);
    plantHeader(media, 1, body, { magic: 0x444d4842 });
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
    expect(readMetadataImage(flash, layout, 1)).toBeUndefined();
  });

  it('a header with a right CRC but a body length of 0 or past the record is not a metadata record', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    const cap = metadataCapacity(layout);
    plantHeader(media, 1, new Uint8Array(0), {});
    expect(readMetadataImage(flash, layout, 1)).toBeUndefined();
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
    // One byte more than the record holds: the read would run into the bank after it.
    plantHeader(media, 1, body, { length: cap + 1 });
    expect(readMetadataImage(flash, layout, 1)).toBeUndefined();
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
    plantHeader(media, 1, body, { length: 0xffffffff });
    expect(readMetadataImage(flash, layout, 1)).toBeUndefined();
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
    // A body that fills the record exactly is a record.
    const full = new Uint8Array(cap).fill(0x5a);
    plantHeader(media, 1, full, {});
    expect(readMetadata(flash, layout, 1)).toEqual(full);
    expect(media.misuse).toEqual([]);
  });
});

describe('a metadata record that spans two sectors', () => {
  /** Erases per sector of the whole chip, to compare before and after. */
  const erases = (media: FlashMedia) => Array.from(media.eraseCount);

  it('is rewritten whole: each of its sectors that does not read erased is erased, nothing outside it', () => {
    const media = chipFor(NOR_FF_ALIGN4, TWO_SECTOR_META);
    const { flash, boot, layout } = instance(media, 0, TWO_SECTOR_META);
    const meta = layout.banks[1];
    expect(meta.metaSectorCount).toBe(2);
    const cap = metadataCapacity(layout);
    expect(cap).toBeGreaterThan(layout.sectorSize);
    const big = new Uint8Array(cap).fill(0x11);
    // A blank chip: both sectors read erased, so nothing is erased.
    let start = erases(media);
    writeMetadata({ flash, boot }, layout, big, image);
    expect(erases(media)).toEqual(start);
    expect(readMetadata(flash, layout, 1)).toEqual(big);
    // Both sectors now hold bytes: both are erased, once, and no other sector.
    start = erases(media);
    const other = new Uint8Array(cap - 3).fill(0x22);
    writeMetadata({ flash, boot }, layout, other, { ...image, version: 0x30000 });
    const want = start.slice();
    want[meta.metaFirstSector]++;
    want[meta.metaFirstSector + 1]++;
    expect(erases(media)).toEqual(want);
    expect(readMetadata(flash, layout, 1)).toEqual(other);
    expect(readMetadataImage(flash, layout, 1)?.version).toBe(0x30000);
    expect(media.misuse).toEqual([]);
  });

  it('a record in its first sector alone leaves the second unerased on the next write', () => {
    const media = chipFor(NOR_FF_ALIGN4, TWO_SECTOR_META);
    const { flash, boot, layout } = instance(media, 0, TWO_SECTOR_META);
    const meta = layout.banks[1];
    writeMetadata({ flash, boot }, layout, body, image);
    const start = erases(media);
    const big = new Uint8Array(metadataCapacity(layout)).fill(0x33);
    writeMetadata({ flash, boot }, layout, big, image);
    const want = start.slice();
    want[meta.metaFirstSector]++;
    expect(erases(media)).toEqual(want);
    expect(readMetadata(flash, layout, 1)).toEqual(big);
    expect(media.misuse).toEqual([]);
  });

  it('the factory step does the same: only the record sectors that do not read erased, and the record reads back', () => {
    const media = chipFor(NOR_FF_ALIGN4, TWO_SECTOR_META);
    const { flash, layout } = instance(media, 0, TWO_SECTOR_META);
    const meta = layout.banks[0];
    const cap = metadataCapacity(layout);
    provisionMetadata(flash, layout, 0, body, image);
    let start = erases(media);
    const big = new Uint8Array(cap).fill(0x44);
    provisionMetadata(flash, layout, 0, big, image);
    let want = start.slice();
    want[meta.metaFirstSector]++;
    expect(erases(media)).toEqual(want);
    start = erases(media);
    const other = new Uint8Array(cap).fill(0x55);
    provisionMetadata(flash, layout, 0, other, image);
    want = start.slice();
    want[meta.metaFirstSector]++;
    want[meta.metaFirstSector + 1]++;
    expect(erases(media)).toEqual(want);
    expect(readMetadata(flash, layout, 0)).toEqual(other);
    expect(media.misuse).toEqual([]);
  });
});

describe('metadata record write failures', () => {
  it('a record sector that will not program or erase is that flash code, not a read-back mismatch', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, boot, layout } = instance(media, 0);
    const sector = layout.banks[1].metaFirstSector;
    media.wearOut(sector, 'program-throws');
    expect(caughtCode(() => writeMetadata({ flash, boot }, layout, body, image))).toBe('STORAGE_FLASH_WRITE');
    const other = chipFor(NOR_FF_ALIGN4);
    const dev = instance(other, 0);
    writeMetadata({ flash: dev.flash, boot: dev.boot }, dev.layout, body, image);
    other.wearOut(sector, 'erase-throws');
    expect(caughtCode(() => writeMetadata({ flash: dev.flash, boot: dev.boot }, dev.layout, body, image))).toBe(
      'STORAGE_FLASH_ERASE',
    );
  });

  it('a program that reports success with wrong bits in the body is caught by the read-back', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, boot, layout } = instance(media, 0);
    // The body is the first program of the write on a blank record.
    media.silentProgramAt(media.ops);
    expect(message(() => writeMetadata({ flash, boot }, layout, body, image))).toBe(
      'STORAGE_VERIFY_MISMATCH: metadata record reads back differently',
    );
    expect(readMetadata(flash, layout, 1)).toBeUndefined();
  });

  it('the factory step never erases past its own record: the other bank’s record stays', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    provisionMetadata(flash, layout, 1, new Uint8Array([7, 7, 7]), image);
    provisionMetadata(flash, layout, 0, body, image);
    const erases = Array.from(media.eraseCount);
    // Bank 0's record now holds bytes: rewriting it erases its sector, and only that one.
    provisionMetadata(flash, layout, 0, new Uint8Array([8, 8]), image);
    const want = erases.slice();
    want[layout.banks[0].metaFirstSector]++;
    expect(Array.from(media.eraseCount)).toEqual(want);
    expect(readMetadata(flash, layout, 1)).toEqual(new Uint8Array([7, 7, 7]));
    expect(readMetadata(flash, layout, 0)).toEqual(new Uint8Array([8, 8]));
  });
});

function caughtCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtaError) return e.code;
    throw e;
  }
  return 'no refusal';
}
