/** Journal: latest per type, torn and corrupt records, rotation (also cut at every step), both flash profiles. */
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import { equalBytes } from '../../device/util/bytes.js';
import { JOURNAL_MAX_BODY, Journal } from '../../device/storage/journal.js';
import {
  DownloadStage,
  JournalType,
  clearDownloadProgress,
  decodeDownloadProgress,
  encodeDownloadProgress,
  readCounters,
  readDownloadProgress,
  recordCounters,
  recordDownloadProgress,
  recordTrustAnchors,
  readTrustAnchors,
  type DownloadProgress,
} from '../../device/storage/journal-records.js';
import { Rng } from '../../sim/rng.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { FLASH_PROFILES, type FlashMedia } from '../../sim/sim-flash.js';

/** Seeds of the random-cut test; `npm run mutate` runs it against every journal mutant, so fewer there. */
const RANDOM_SEEDS = process.env.ALTHAN_MUTATION_RUN ? 12 : 60;

const body = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function openOn(media: FlashMedia) {
  const inst = instance(media, 0);
  return { ...inst, journal: Journal.open(inst.flash, inst.layout) };
}

function progress(payloadOffset: number): DownloadProgress {
  return {
    manufacturerCode: 0x1234,
    imageType: 0x0101,
    fileVersion: 0x00020003,
    manifestDigest: new Uint8Array(32).map((_, i) => i),
    fileOffset: 300 + payloadOffset,
    payloadOffset,
    payloadLength: 14000,
    bank: 1,
    stage: DownloadStage.downloading,
  };
}

describe.each(FLASH_PROFILES)('journal on $name', (profile) => {
  it('formats a blank chip and keeps the latest record of each type across reopen', () => {
    const media = chipFor(profile);
    const { journal } = openOn(media);
    expect(journal.types()).toEqual([]);
    journal.append(5, body(10, 1));
    journal.append(6, body(3, 2));
    journal.append(5, body(20, 3));
    expect(journal.latest(5)).toEqual(body(20, 3));
    const again = openOn(media).journal;
    expect(again.types()).toEqual([5, 6]);
    expect(again.latest(5)).toEqual(body(20, 3));
    expect(again.latest(6)).toEqual(body(3, 2));
    expect(again.latest(7)).toBeUndefined();
    expect(again.seqOf(5)).toBeGreaterThan(again.seqOf(6));
    expect(media.misuse).toEqual([]);
  });

  it('appending costs two programs and no erase', () => {
    const media = chipFor(profile);
    const { journal } = openOn(media);
    const before = media.ops;
    const erases = media.eraseCount.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 10; i++) journal.append(1, body(40, i));
    expect(media.ops - before).toBe(20);
    expect(media.eraseCount.reduce((a, b) => a + b, 0)).toBe(erases);
  });

  for (const torn of [false, true]) {
    for (const which of ['data', 'commit'] as const) {
      it(`a ${torn ? 'torn' : 'clean'} cut at the ${which} program keeps the previous record and the next append lands on erased bytes`, () => {
        for (let seed = 1; seed <= 20; seed++) {
          const media = chipFor(profile, undefined, seed);
          const first = openOn(media).journal;
          first.append(2, body(30, 0x11));
          media.cutPowerAt(media.ops + (which === 'data' ? 0 : 1), { torn });
          expect(() => first.append(2, body(30, 0x22))).toThrow();
          const after = openOn(media).journal;
          const got = after.latest(2)!;
          // Only a torn commit that happened to land whole may make the new record stand.
          if (!(torn && which === 'commit')) expect(got).toEqual(body(30, 0x11));
          else expect([0x11, 0x22]).toContain(got[0]);
          after.append(2, body(30, 0x33));
          after.append(3, body(8, 0x44));
          const last = openOn(media).journal;
          expect(last.latest(2)).toEqual(body(30, 0x33));
          expect(last.latest(3)).toEqual(body(8, 0x44));
          expect(media.misuse).toEqual([]);
        }
      });
    }
  }

  it('a corrupt CRC makes the record invisible and the previous one stands', () => {
    const media = chipFor(profile);
    const { journal, layout } = openOn(media);
    journal.append(4, body(16, 0xa0));
    journal.append(4, body(16, 0xb0));
    // Find the second record's body in the journal sector and flip one bit of it.
    const base = layout.journalSectors[0] * layout.sectorSize;
    const sector = media.bytes.subarray(base, base + layout.sectorSize);
    const at = sector.lastIndexOf(0xb0);
    sector[at] ^= 0x01;
    expect(openOn(media).journal.latest(4)).toEqual(body(16, 0xa0));
  });

  it('rotation copies every type, erases the old sector after the new header, and keeps going', () => {
    const media = chipFor(profile);
    const { journal, layout } = openOn(media);
    recordTrustAnchors(journal, body(300, 0x7a));
    recordCounters(
      journal,
      new Map([
        [1, 5],
        [2, 9],
      ]),
    );
    let rotationsSeen = 0;
    for (let i = 0; i < 200; i++) {
      recordDownloadProgress(journal, progress(i * 64));
      rotationsSeen = journal.stats().rotations;
    }
    expect(rotationsSeen).toBeGreaterThanOrEqual(2);
    const j = openOn(media).journal;
    expect(readDownloadProgress(j)!.payloadOffset).toBe(199 * 64);
    expect(readTrustAnchors(j)).toEqual(body(300, 0x7a));
    expect([...readCounters(j)]).toEqual([
      [1, 5],
      [2, 9],
    ]);
    // Each rotation erases the new sector before and the old one after: two erases, never one per record.
    expect(media.eraseCount[layout.journalSectors[0]] + media.eraseCount[layout.journalSectors[1]]).toBe(
      2 * rotationsSeen,
    );
    expect(media.misuse).toEqual([]);
  });

  it('a cut at every operation of a rotation, clean or torn, loses nothing committed', () => {
    // Find a state one append away from rotating, then cut each operation of that append.
    const setup = (seed: number) => {
      const media = chipFor(profile, undefined, seed);
      const { journal } = openOn(media);
      recordTrustAnchors(journal, body(200, 0x5c));
      recordCounters(journal, new Map([[7, 1]]));
      let i = 0;
      for (;;) {
        const f = journal.stats().freeBytes;
        recordDownloadProgress(journal, progress(i++));
        const ext = f - journal.stats().freeBytes;
        if (journal.stats().freeBytes < ext) break;
      }
      return { media, journal, last: i - 1 };
    };
    const probe = setup(1);
    const start = probe.media.ops;
    recordDownloadProgress(probe.journal, progress(probe.last + 1));
    expect(probe.journal.stats().rotations).toBe(1);
    const opsInRotation = probe.media.ops - start;
    expect(opsInRotation).toBe(1 + 3 * 2 + 1 + 1 + 2); // erase, three copies (data + commit each), header, erase old, the record
    let runs = 0;
    for (let k = 0; k < opsInRotation; k++) {
      for (const torn of [false, true]) {
        const { media, journal, last } = setup(100 + k);
        media.cutPowerAt(media.ops + k, { torn });
        expect(() => recordDownloadProgress(journal, progress(last + 1))).toThrow();
        const j = openOn(media).journal;
        expect(readTrustAnchors(j)).toEqual(body(200, 0x5c));
        expect([...readCounters(j)]).toEqual([[7, 1]]);
        expect([last, last + 1]).toContain(readDownloadProgress(j)!.payloadOffset);
        // The journal carries on after the cut, through later rotations.
        for (let n = 0; n < 80; n++) recordDownloadProgress(j, progress(1000 + n));
        const k2 = openOn(media).journal;
        expect(readDownloadProgress(k2)!.payloadOffset).toBe(1079);
        expect(readTrustAnchors(k2)).toEqual(body(200, 0x5c));
        expect(media.misuse).toEqual([]);
        runs++;
      }
    }
    expect(runs).toBe(2 * opsInRotation);
  });

  it('refuses bodies and types it cannot hold, and says JOURNAL_FULL when a rotation cannot make room', () => {
    const media = chipFor(profile);
    const { journal } = openOn(media);
    expect(() => journal.append(0, body(1, 0))).toThrow(expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }));
    expect(() => journal.append(128, body(1, 0))).toThrow(expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }));
    expect(() => journal.append(1, body(JOURNAL_MAX_BODY + 1, 0))).toThrow(
      expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }),
    );
    journal.append(10, body(JOURNAL_MAX_BODY, 1));
    journal.append(11, body(1000, 2));
    let err: unknown;
    try {
      journal.append(12, body(JOURNAL_MAX_BODY, 3));
    } catch (e) {
      err = e;
    }
    expect(isOtaError(err, 'JOURNAL_FULL')).toBe(true);
    const j = openOn(media).journal;
    expect(j.latest(10)).toEqual(body(JOURNAL_MAX_BODY, 1));
    expect(j.latest(11)).toEqual(body(1000, 2));
    expect(media.misuse).toEqual([]);
  });

  it('random appends of several types under random cuts: every committed record stands until replaced', () => {
    let cuts = 0;
    let seedsThatRotated = 0;
    for (let seed = 1; seed <= RANDOM_SEEDS; seed++) {
      const rng = new Rng(seed);
      const media = chipFor(profile, undefined, seed);
      const committed = new Map<number, Uint8Array>();
      const first = openOn(media);
      const layout = first.layout;
      let j = first.journal;
      for (let step = 0; step < 150; step++) {
        if (rng.chance(0.08)) media.cutPowerAt(media.ops + rng.int(0, 12), { torn: rng.chance(0.5) });
        const type = rng.int(1, 5);
        const body = rng.bytes(rng.int(0, type === 4 ? 900 : 120));
        try {
          j.append(type, body);
          committed.set(type, body);
        } catch {
          // A cut: after the reboot the interrupted record stands whole, or the previous one does.
          cuts++;
          media.disarm();
          j = openOn(media).journal;
          const got = j.latest(type);
          if (got && equalBytes(got, body)) committed.set(type, body);
          else expect(got, `seed ${seed} step ${step}`).toEqual(committed.get(type));
        }
        for (const [t, b] of committed) expect(j.latest(t), `seed ${seed} step ${step} type ${t}`).toEqual(b);
      }
      if (media.eraseCount[layout.journalSectors[0]] + media.eraseCount[layout.journalSectors[1]] > 0)
        seedsThatRotated++;
      expect(media.misuse).toEqual([]);
    }
    expect(cuts).toBeGreaterThan((RANDOM_SEEDS * 100) / 60);
    expect(seedsThatRotated).toBeGreaterThan(RANDOM_SEEDS / 2);
  });

  it('skips garbage that is not a record and appends after it', () => {
    const media = chipFor(profile);
    const { journal, layout } = openOn(media);
    journal.append(1, body(12, 1));
    const free = layout.sectorSize - journal.stats().freeBytes;
    const base = layout.journalSectors[0] * layout.sectorSize + free;
    // Bytes a torn write might leave: not erased, not a plausible record header.
    media.bytes.set([0x00, 0x13, 0x77, 0x00, 0x12, 0x34, 0x56, 0x78], base);
    const j = openOn(media).journal;
    j.append(1, body(12, 2));
    expect(openOn(media).journal.latest(1)).toEqual(body(12, 2));
    expect(media.misuse).toEqual([]);
  });
});

describe('journal record bodies', () => {
  it('download progress round-trips, and null means no download', () => {
    const p = progress(4096);
    expect(decodeDownloadProgress(encodeDownloadProgress(p))).toEqual(p);
    const media = chipFor(FLASH_PROFILES[0]);
    const { journal } = openOn(media);
    recordDownloadProgress(journal, p);
    expect(readDownloadProgress(journal)).toEqual(p);
    clearDownloadProgress(journal);
    expect(readDownloadProgress(journal)).toBeUndefined();
    expect(journal.latest(JournalType.downloadProgress)).toEqual(new Uint8Array([0xf6]));
  });

  it('refuses a progress body with missing keys, a short digest or a bad stage', () => {
    const p = progress(0);
    expect(() => encodeDownloadProgress({ ...p, manifestDigest: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }),
    );
    expect(() => encodeDownloadProgress({ ...p, payloadOffset: -1 })).toThrow(
      expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }),
    );
    const good = encodeDownloadProgress(p);
    const badStage = good.slice();
    badStage[badStage.length - 1] = 7; // key 9's value is the last byte
    expect(() => decodeDownloadProgress(badStage)).toThrow(expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }));
    expect(() => decodeDownloadProgress(new Uint8Array([0xa1, 0x01, 0x01]))).toThrow(
      expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID' }),
    );
  });
});
