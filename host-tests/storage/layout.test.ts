/** Layout derivation and the metadata record. */
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { makeLayout, sectorsNeeded } from '../../device/storage/layout.js';
import {
  metadataCapacity,
  readMetadata,
  readMetadataImage,
  writeMetadata,
} from '../../device/storage/metadata-record.js';
import { Rng } from '../../sim/rng.js';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { caught, chipFor, instance } from '../../sim/storage-rig.js';

describe('storage layout', () => {
  it('places boot copies, journal, metadata and two equal banks on whole sectors', () => {
    const geo = { size: 64 * 4096, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };
    const l = makeLayout(geo, { bankSize: 10_000, metadataSize: 5000 });
    expect(l.bootSectors).toEqual([0, 1]);
    expect(l.journalSectors).toEqual([2, 3]);
    expect(l.keptSectors).toEqual([4, 5]);
    expect(l.banks[0]).toMatchObject({
      metaFirstSector: 6,
      metaSectorCount: 2,
      firstSector: 10,
      sectorCount: 3,
      size: 3 * 4096,
    });
    expect(l.banks[1]).toMatchObject({ metaFirstSector: 8, firstSector: 13, sectorCount: 3 });
    expect(l.used).toBe(16 * 4096);
    expect(sectorsNeeded(4096, { bankSize: 10_000, metadataSize: 5000 })).toBe(16);
  });

  it('refuses layouts that do not fit or geometries it cannot use', () => {
    const geo = { size: 8 * 4096, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };
    expect(
      isOtaError(
        caught(() => makeLayout(geo, { bankSize: 16_384, metadataSize: 4096 })),
        'STORAGE_LAYOUT',
      ),
    ).toBe(true);
    expect(
      isOtaError(
        caught(() => makeLayout({ ...geo, writeAlign: 3 }, { bankSize: 4096, metadataSize: 4096 })),
        'STORAGE_LAYOUT',
      ),
    ).toBe(true);
    expect(
      isOtaError(
        caught(() => makeLayout({ ...geo, sectorSize: 1000 }, { bankSize: 4096, metadataSize: 4096 })),
        'STORAGE_LAYOUT',
      ),
    ).toBe(true);
    expect(
      isOtaError(
        caught(() => makeLayout(geo, { bankSize: 0, metadataSize: 4096 })),
        'STORAGE_LAYOUT',
      ),
    ).toBe(true);
  });
});

const IMAGE = { version: 0x01020304, length: 5000, digest: new Uint8Array(32).fill(0xd1) };

describe.each(FLASH_PROFILES)('metadata record on $name', (profile) => {
  it('is written into the inactive bank only, and a cut at any of its operations leaves no record', () => {
    const body = new Rng(3).bytes(1777);
    // Operations: erase the stale sector, program the body, the header, the commit word (last).
    for (let k = 0; k < 4; k++) {
      for (const torn of [false, true]) {
        const media = chipFor(profile, undefined, 10 + k);
        const inst = instance(media, 0);
        media.bytes.fill(0x5a, inst.layout.banks[1].metaOffset, inst.layout.banks[1].metaOffset + 100); // stale, must be erased first
        media.cutPowerAt(media.ops + k, { torn });
        expect(() => writeMetadata(inst, inst.layout, body, IMAGE)).toThrow();
        expect(media.cutFired).toBe(true);
        const after = instance(media, 0);
        // The commit word is the last operation: whatever the cut hit, the record is not there yet (and reading never throws).
        expect(readMetadata(after.flash, after.layout, 1), `cut at op ${k}${torn ? ' torn' : ''}`).toBeUndefined();
        expect(readMetadataImage(after.flash, after.layout, 1)).toBeUndefined();
        writeMetadata(after, after.layout, body, IMAGE);
        expect(readMetadata(after.flash, after.layout, 1)).toEqual(body);
        expect(readMetadataImage(after.flash, after.layout, 1)).toEqual(IMAGE);
        expect(readMetadata(after.flash, after.layout, 0)).toBeUndefined();
        expect(media.misuse).toEqual([]);
      }
    }
  });

  it('a program that reports success with wrong bits is caught by the read-back, and a rewrite mends it', () => {
    const body = new Rng(4).bytes(900);
    for (let k = 0; k < 3; k++) {
      const media = chipFor(profile, undefined, 20 + k);
      const inst = instance(media, 0);
      media.silentProgramAt(media.ops + k);
      expect(
        isOtaError(
          caught(() => writeMetadata(inst, inst.layout, body, IMAGE)),
          'STORAGE_VERIFY_MISMATCH',
        ),
        `wrong bits at op ${k}`,
      ).toBe(true);
      writeMetadata(inst, inst.layout, body, IMAGE);
      expect(readMetadata(inst.flash, inst.layout, 1)).toEqual(body);
      expect(media.misuse).toEqual([]);
    }
  });

  it('refuses a body larger than its region', () => {
    const media = chipFor(profile);
    const inst = instance(media, 1);
    const cap = metadataCapacity(inst.layout);
    expect(
      isOtaError(
        caught(() => writeMetadata(inst, inst.layout, new Uint8Array(cap + 1), IMAGE)),
        'STORAGE_TOO_LARGE',
      ),
    ).toBe(true);
    writeMetadata(inst, inst.layout, new Uint8Array(cap).fill(1), IMAGE);
    expect(readMetadata(inst.flash, inst.layout, 0)!.length).toBe(cap);
  });
});
