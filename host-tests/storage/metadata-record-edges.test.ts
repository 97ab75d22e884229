/**
 * Metadata-record edges the scenario tests do not reach: the refusals before anything is
 * written (empty or oversized body, a digest that is not 32 bytes, bank 2), a body whose
 * CRC no longer matches, and the factory step over sectors that do not read erased.
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
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
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
