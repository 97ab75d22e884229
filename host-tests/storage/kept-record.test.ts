/**
 * What the device cannot learn again over the air survives one bad sector: the kept record
 * (two copies, seq + CRC), the journal's recovery of damaged headers and records, and
 * `loadTrustStore` reading either. Faults are injected with SimFlash's fault model: on the
 * ECC profile a damaged word raises a read fault, on the other it reads back wrong.
 */
import { describe, expect, it } from 'vitest';
import { provisionTrustAnchors, loadTrustStore, type DeviceBuild } from '../../device/agent/device-config.js';
import { isOtaError } from '../../device/errors.js';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { Journal } from '../../device/storage/journal.js';
import {
  readCounters,
  readTrustAnchors,
  recordCounters,
  recordDownloadProgress,
  recordTrustAnchors,
} from '../../device/storage/journal-records.js';
import { keepCounters, keepTrustAnchors, readKept, writeKept } from '../../device/storage/kept-record.js';
import { createTestPki } from '../../tools/pki/index.js';
import { FLASH_PROFILES, type FlashMedia } from '../../sim/sim-flash.js';
import { SMALL_LAYOUT, caught, chipFor, instance } from '../../sim/storage-rig.js';

const ANCHORS = encodeTrustStore(createTestPki({ seed: 'kept record' }).trustStore);
const BUILD: DeviceBuild = { manufacturerCode: 0x1234, imageType: 0x0042, hardwareVersion: 2, layout: SMALL_LAYOUT };
/** Two flipped bits: read back wrong without ECC, an uncorrectable word with it. */
const DAMAGE = 0x03;

const progress = (payloadOffset: number) => ({
  manufacturerCode: 0x1234,
  imageType: 0x42,
  fileVersion: 2,
  manifestDigest: new Uint8Array(32).fill(7),
  fileOffset: 100 + payloadOffset,
  payloadOffset,
  payloadLength: 9000,
  bank: 1,
  stage: 0 as const,
});

describe.each(FLASH_PROFILES)('kept record on $name', (profile) => {
  function provisioned(seed = 1): FlashMedia {
    const media = chipFor(profile, SMALL_LAYOUT, seed);
    const i = instance(media, 0);
    provisionTrustAnchors(i.flash, BUILD, ANCHORS);
    keepCounters(i.flash, i.layout, new Map([[1, 4]]));
    const j = Journal.open(i.flash, i.layout);
    recordCounters(j, new Map([[1, 4]]));
    for (let k = 0; k < 5; k++) recordDownloadProgress(j, progress(k * 512));
    return media;
  }

  it('writes alternate copies with increasing sequence; counters never go down', () => {
    const media = provisioned();
    const i = instance(media, 0);
    const erasesA = media.eraseCount[i.layout.keptSectors[0]];
    const erasesB = media.eraseCount[i.layout.keptSectors[1]];
    keepCounters(
      i.flash,
      i.layout,
      new Map([
        [1, 5],
        [2, 1],
      ]),
    );
    expect(media.eraseCount[i.layout.keptSectors[0]] + media.eraseCount[i.layout.keptSectors[1]]).toBe(
      erasesA + erasesB + 1,
    );
    expect(readKept(i.flash, i.layout)).toEqual({
      trustAnchors: ANCHORS,
      counters: new Map([
        [1, 5],
        [2, 1],
      ]),
    });
    expect(
      isOtaError(
        caught(() => keepCounters(i.flash, i.layout, new Map([[1, 4]]))),
        'JOURNAL_RECORD_INVALID',
      ),
    ).toBe(true);
    expect(readKept(i.flash, i.layout)!.counters.get(1)).toBe(5);
    expect(media.misuse).toEqual([]);
  });

  it('a cut at the erase or program of a write, clean or torn, leaves the old state or the new one', () => {
    for (let k = 0; k < 2; k++) {
      for (const torn of [false, true]) {
        const media = provisioned(10 + k);
        const i = instance(media, 0);
        media.cutPowerAt(media.ops + k, { torn });
        expect(() => keepTrustAnchors(i.flash, i.layout, new Uint8Array(40).fill(9))).toThrow();
        const after = instance(media, 0);
        expect(readKept(after.flash, after.layout)?.trustAnchors, `cut at op ${k}${torn ? ' torn' : ''}`).toEqual(
          ANCHORS,
        );
        keepTrustAnchors(after.flash, after.layout, new Uint8Array(40).fill(9));
        expect(readKept(after.flash, after.layout)?.trustAnchors).toEqual(new Uint8Array(40).fill(9));
        expect(media.misuse).toEqual([]);
      }
    }
  });

  it('a program that reports success with wrong bits is written again', () => {
    const media = provisioned();
    const i = instance(media, 0);
    const erases = () => media.eraseCount[i.layout.keptSectors[0]] + media.eraseCount[i.layout.keptSectors[1]];
    const before = erases();
    media.silentProgramAt(media.ops + 1);
    writeKept(i.flash, i.layout, { trustAnchors: new Uint8Array(64).fill(3), counters: new Map([[1, 9]]) });
    // The read-back caught the wrong bits: the same copy was erased and written a second time.
    expect(erases()).toBe(before + 2);
    expect(readKept(i.flash, i.layout)).toEqual({
      trustAnchors: new Uint8Array(64).fill(3),
      counters: new Map([[1, 9]]),
    });
  });

  it('one damaged copy, read fault or flipped bits, leaves the other standing', () => {
    for (const which of [0, 1] as const) {
      const media = provisioned();
      const i = instance(media, 0);
      keepCounters(i.flash, i.layout, new Map([[1, 6]]));
      media.flipBits(i.layout.keptSectors[which] * i.layout.sectorSize + 20, DAMAGE);
      const got = readKept(i.flash, i.layout);
      expect(got?.trustAnchors, `copy ${which} damaged`).toEqual(ANCHORS);
      // The newer copy survived (6) or the older one did (4): either is a state the device was in.
      expect([4, 6]).toContain(got!.counters.get(1));
    }
  });
});

describe.each(FLASH_PROFILES)('trust store after one bad sector on $name', (profile) => {
  function provisioned(): { media: FlashMedia; journalBase: number } {
    const media = chipFor(profile);
    const i = instance(media, 0);
    provisionTrustAnchors(i.flash, BUILD, ANCHORS);
    const j = Journal.open(i.flash, i.layout);
    recordCounters(j, new Map([[1, 4]]));
    for (let k = 0; k < 5; k++) recordDownloadProgress(j, progress(k * 512));
    return { media, journalBase: j.stats().activeSector * i.layout.sectorSize };
  }

  const faults: [string, (media: FlashMedia, journalBase: number) => void][] = [
    ['the active journal sector header', (m, base) => m.flipBits(base + 1, DAMAGE)],
    ['the journal trust-anchor record', (m, base) => m.flipBits(base + 16 + 8 + 100, DAMAGE)],
    ['kept copy A', (m) => m.flipBits(4 * 4096 + 30, DAMAGE)],
    [
      'kept copy B and A (the journal copy stands)',
      (m) => {
        m.flipBits(4 * 4096 + 30, DAMAGE);
        m.flipBits(5 * 4096 + 30, DAMAGE);
      },
    ],
  ];

  it.each(faults)('damage in %s leaves the trust store usable', (_name, damage) => {
    const { media, journalBase } = provisioned();
    damage(media, journalBase);
    const i = instance(media, 0);
    const store = loadTrustStore(i.flash, BUILD);
    expect(encodeTrustStore(store)).toEqual(ANCHORS);
    // The journal opens without formatting: the progress record and the counters are still there.
    const erasesBefore = media.eraseCount[2] + media.eraseCount[3];
    const j = Journal.open(i.flash, i.layout);
    expect(media.eraseCount[2] + media.eraseCount[3]).toBe(erasesBefore);
    expect([...readCounters(j)]).toEqual([[1, 4]]);
    expect(j.latest(1)).toBeDefined();
    // Appending still works and stands after a reopen.
    recordDownloadProgress(j, progress(4096));
    expect(Journal.open(i.flash, i.layout).seqOf(1)).toBe(j.seqOf(1));
    expect(media.misuse).toEqual([]);
  });

  it('a damaged journal header is not formatted over: every record stands, and the next rotation writes a fresh header', () => {
    const { media, journalBase } = provisioned();
    media.flipBits(journalBase + 2, DAMAGE);
    const i = instance(media, 0);
    const j = Journal.open(i.flash, i.layout);
    expect(readTrustAnchors(j)).toEqual(ANCHORS);
    for (let k = 0; k < 60; k++) recordDownloadProgress(j, progress(k * 64));
    expect(j.stats().rotations).toBeGreaterThanOrEqual(1);
    const again = Journal.open(i.flash, i.layout);
    expect(readTrustAnchors(again)).toEqual(ANCHORS);
    expect([...readCounters(again)]).toEqual([[1, 4]]);
    expect(media.misuse).toEqual([]);
  });

  it('a damaged record: the records before it are kept and the previous one of its type stands', () => {
    const media = chipFor(profile);
    const i = instance(media, 0);
    const j = Journal.open(i.flash, i.layout);
    recordTrustAnchors(j, new Uint8Array(100).fill(1));
    recordTrustAnchors(j, new Uint8Array(100).fill(2));
    recordCounters(j, new Map([[1, 1]]));
    const base = j.stats().activeSector * i.layout.sectorSize;
    // The second trust-anchor record starts after the header (16) and the first record's extent.
    const second = base + 16 + Math.ceil((8 + 100 + 4 + 8) / 8) * 8;
    media.flipBits(second + 8 + 50, DAMAGE);
    const k = Journal.open(i.flash, i.layout);
    expect(readTrustAnchors(k)).toEqual(new Uint8Array(100).fill(1));
    expect([...readCounters(k)]).toEqual([[1, 1]]);
  });

  it('no trust anchors anywhere is TRUST_STORE_MISSING, not a throw of another kind', () => {
    const media = chipFor(profile);
    const i = instance(media, 0);
    expect(
      isOtaError(
        caught(() => loadTrustStore(i.flash, BUILD)),
        'TRUST_STORE_MISSING',
      ),
    ).toBe(true);
  });
});
