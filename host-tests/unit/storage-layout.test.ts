/** Layout derivation and the metadata record. */
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { makeLayout } from '../../device/storage/layout.js';
import { metadataCapacity, readMetadata, writeMetadata } from '../../device/storage/metadata-record.js';
import { Rng } from '../harness/rng.js';
import { FLASH_PROFILES } from '../harness/sim-flash.js';
import { caught, chipFor, instance } from '../harness/storage-rig.js';

describe('storage layout', () => {
  it('places boot copies, journal, metadata and two equal banks on whole sectors', () => {
    const geo = { size: 64 * 4096, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };
    const l = makeLayout(geo, { bankSize: 10_000, metadataSize: 5000 });
    expect(l.bootSectors).toEqual([0, 1]);
    expect(l.journalSectors).toEqual([2, 3]);
    expect(l.banks[0]).toMatchObject({ metaFirstSector: 4, metaSectorCount: 2, firstSector: 8, sectorCount: 3, size: 3 * 4096 });
    expect(l.banks[1]).toMatchObject({ metaFirstSector: 6, firstSector: 11, sectorCount: 3 });
    expect(l.used).toBe(14 * 4096);
  });

  it('refuses layouts that do not fit or geometries it cannot use', () => {
    const geo = { size: 8 * 4096, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };
    expect(isOtaError(caught(() => makeLayout(geo, { bankSize: 16_384, metadataSize: 4096 })), 'STORAGE_LAYOUT')).toBe(true);
    expect(isOtaError(caught(() => makeLayout({ ...geo, writeAlign: 3 }, { bankSize: 4096, metadataSize: 4096 })), 'STORAGE_LAYOUT')).toBe(true);
    expect(isOtaError(caught(() => makeLayout({ ...geo, sectorSize: 1000 }, { bankSize: 4096, metadataSize: 4096 })), 'STORAGE_LAYOUT')).toBe(true);
    expect(isOtaError(caught(() => makeLayout(geo, { bankSize: 0, metadataSize: 4096 })), 'STORAGE_LAYOUT')).toBe(true);
  });
});

describe.each(FLASH_PROFILES)('metadata record on $name', (profile) => {
  it('is written into the inactive bank only, and a cut at any of its operations leaves no record or the whole one', () => {
    const body = new Rng(3).bytes(1777);
    for (let k = 0; k < 4; k++) {
      for (const torn of [false, true]) {
        const media = chipFor(profile, undefined, 10 + k);
        const inst = instance(media, 0);
        media.bytes.fill(0x5a, inst.layout.banks[1].metaOffset, inst.layout.banks[1].metaOffset + 100); // stale, must be erased first
        media.cutPowerAt(media.ops + k, { torn });
        expect(() => writeMetadata(inst, inst.layout, body)).toThrow();
        const after = instance(media, 0);
        const got = readMetadata(after.flash, after.layout, 1);
        if (got) expect(got).toEqual(body);
        writeMetadata(after, after.layout, body);
        expect(readMetadata(after.flash, after.layout, 1)).toEqual(body);
        expect(readMetadata(after.flash, after.layout, 0)).toBeUndefined();
        expect(media.misuse).toEqual([]);
      }
    }
  });

  it('refuses a body larger than its region', () => {
    const media = chipFor(profile);
    const inst = instance(media, 1);
    const cap = metadataCapacity(inst.layout);
    expect(isOtaError(caught(() => writeMetadata(inst, inst.layout, new Uint8Array(cap + 1))), 'STORAGE_TOO_LARGE')).toBe(true);
    writeMetadata(inst, inst.layout, new Uint8Array(cap).fill(1));
    expect(readMetadata(inst.flash, inst.layout, 0)!.length).toBe(cap);
  });
});
