/**
 * The journal's record bodies: what makes two downloads the same image, the progress
 * record's field checks in both directions (each refusal names the field, with the
 * JOURNAL_RECORD_INVALID code the agent maps to a report), the parser's depth bound, and
 * the counters and trust-anchor records as stored in a real journal.
 */
import { describe, expect, it } from 'vitest';
import { Journal } from '../../device/storage/journal.js';
import {
  DownloadStage,
  JournalType,
  decodeDownloadProgress,
  encodeDownloadProgress,
  readCounters,
  readDownloadProgress,
  readTrustAnchors,
  recordCounters,
  recordTrustAnchors,
  sameImage,
  type DownloadProgress,
} from '../../device/storage/journal-records.js';
import { encodeCbor, type CborValue } from '../../device/util/cbor.js';
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const progress: DownloadProgress = {
  manufacturerCode: 0x1234,
  imageType: 0x0101,
  fileVersion: 0x00020003,
  manifestDigest: new Uint8Array(32).map((_, i) => i),
  fileOffset: 4396,
  payloadOffset: 4096,
  payloadLength: 14000,
  bank: 1,
  stage: DownloadStage.downloading,
};

/** The progress map as the encoder writes it, with `changes` applied (undefined drops a key). */
function progressMap(changes: [number, CborValue | undefined][] = []): Uint8Array {
  const m = new Map<number, CborValue>([
    [1, progress.manufacturerCode],
    [2, progress.imageType],
    [3, progress.fileVersion],
    [4, progress.manifestDigest],
    [5, progress.fileOffset],
    [6, progress.payloadOffset],
    [7, progress.payloadLength],
    [8, progress.bank],
    [9, progress.stage],
  ]);
  for (const [k, v] of changes) {
    if (v === undefined) m.delete(k);
    else m.set(k, v);
  }
  return encodeCbor(m);
}

function journalOn() {
  const media = chipFor(NOR_FF_ALIGN4);
  const { flash, layout } = instance(media, 0);
  return { media, journal: Journal.open(flash, layout), reopen: () => Journal.open(flash, layout) };
}

describe('sameImage', () => {
  it('is the same image only when manufacturer, type, version and every byte of the manifest digest agree', () => {
    expect(sameImage(progress, { ...progress, manifestDigest: progress.manifestDigest.slice() })).toBe(true);
    expect(sameImage(progress, { ...progress, manufacturerCode: 0x1235 })).toBe(false);
    expect(sameImage(progress, { ...progress, imageType: 0x0102 })).toBe(false);
    expect(sameImage(progress, { ...progress, fileVersion: 0x00020004 })).toBe(false);
    for (const at of [0, 17, 31]) {
      const d = progress.manifestDigest.slice();
      d[at] ^= 1;
      expect(sameImage(progress, { ...progress, manifestDigest: d }), `digest byte ${at}`).toBe(false);
    }
    // A digest that is a prefix of the other is not the same image.
    expect(sameImage(progress, { ...progress, manifestDigest: progress.manifestDigest.subarray(0, 31) })).toBe(false);
    expect(sameImage({ ...progress, manifestDigest: progress.manifestDigest.subarray(0, 31) }, progress)).toBe(false);
  });
});

describe('download progress encoding', () => {
  it('takes every field from 0 to 0xFFFFFFFF and refuses, naming it, a field negative, fractional or wider than 32 bits', () => {
    const fields = [
      'manufacturerCode',
      'imageType',
      'fileVersion',
      'fileOffset',
      'payloadOffset',
      'payloadLength',
      'bank',
      'stage',
    ] as const;
    for (const name of fields) {
      for (const ok of [0, 0xffffffff]) {
        const p = { ...progress, [name]: ok };
        expect(() => encodeDownloadProgress(p), `${name} ${ok}`).not.toThrow();
      }
      for (const bad of [-1, 1.5, 0x100000000]) {
        const e = refusal(() => encodeDownloadProgress({ ...progress, [name]: bad }));
        expect(e.message).toBe(`JOURNAL_RECORD_INVALID: progress ${name} ${bad}`);
      }
    }
    for (const n of [31, 33]) {
      const e = refusal(() => encodeDownloadProgress({ ...progress, manifestDigest: new Uint8Array(n) }));
      expect(e.message).toBe('JOURNAL_RECORD_INVALID: manifest digest must be 32 bytes');
    }
    expect(encodeDownloadProgress(progress)).toEqual(progressMap());
  });
});

describe('download progress decoding', () => {
  it('reads back what was encoded, stage 2 included', () => {
    const done = { ...progress, stage: DownloadStage.metadataWritten };
    expect(decodeDownloadProgress(encodeDownloadProgress(done))).toEqual(done);
    expect(decodeDownloadProgress(encodeCbor(null))).toBeUndefined();
  });

  it('refuses, naming what is wrong, a body that is not exactly the 9-key progress map', () => {
    const cases: [string, Uint8Array, string][] = [
      ['an array', encodeCbor([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'progress body is not a 9-key map'],
      ['a number', encodeCbor(9), 'progress body is not a 9-key map'],
      ['8 keys', progressMap([[8, undefined]]), 'progress body is not a 9-key map'],
      ['10 keys', progressMap([[10, 0]]), 'progress body is not a 9-key map'],
      ['key 1 text', progressMap([[1, 'x']]), 'progress key 1'],
      ['key 3 negative', progressMap([[3, -1]]), 'progress key 3'],
      ['key 7 bytes', progressMap([[7, new Uint8Array(1)]]), 'progress key 7'],
      [
        'key 9 missing, key 10 instead',
        progressMap([
          [9, undefined],
          [10, 0],
        ]),
        'progress key 9',
      ],
      ['digest a number', progressMap([[4, 5]]), 'progress digest'],
      ['digest 31 bytes', progressMap([[4, new Uint8Array(31)]]), 'progress digest'],
      ['digest 33 bytes', progressMap([[4, new Uint8Array(33)]]), 'progress digest'],
      ['stage 3', progressMap([[9, 3]]), 'progress stage 3'],
    ];
    for (const [what, body, words] of cases) {
      expect(refusal(() => decodeDownloadProgress(body)).message, what).toBe(`JOURNAL_RECORD_INVALID: ${words}`);
    }
    for (const k of [1, 2, 3, 5, 6, 7, 8]) {
      // Every numeric key is checked, not only some.
      expect(refusal(() => decodeDownloadProgress(progressMap([[k, 'x']]))).message).toBe(
        `JOURNAL_RECORD_INVALID: progress key ${k}`,
      );
    }
  });

  it('a body nested deeper than a progress record is refused by the parser’s depth bound, before any field is read', () => {
    // Bounded recursion: a damaged record cannot drive the parser deeper than the record's own shape.
    const deep = progressMap([[1, [[0]]]]);
    expect(refusal(() => decodeDownloadProgress(deep)).code).toBe('CBOR_TOO_DEEP');
  });
});

describe('records in the journal', () => {
  it('progress, counters (key 0 and value 0 included) and trust anchors survive a reopen; counters are stored in key order', () => {
    const { journal, reopen } = journalOn();
    expect(readDownloadProgress(journal)).toBeUndefined();
    expect(readCounters(journal)).toEqual(new Map());
    expect(readTrustAnchors(journal)).toBeUndefined();
    journal.append(JournalType.downloadProgress, encodeDownloadProgress(progress));
    recordCounters(
      journal,
      new Map([
        [7, 1],
        [2, 0],
        [5, 0xffffffff],
        [0, 3],
      ]),
    );
    recordTrustAnchors(journal, new Uint8Array([1, 2, 3]));
    const again = reopen();
    expect(readDownloadProgress(again)).toEqual(progress);
    expect([...readCounters(again)]).toEqual([
      [0, 3],
      [2, 0],
      [5, 0xffffffff],
      [7, 1],
    ]);
    expect(again.latest(JournalType.counters)).toEqual(
      encodeCbor(
        new Map([
          [0, 3],
          [2, 0],
          [5, 0xffffffff],
          [7, 1],
        ]),
      ),
    );
    expect(readTrustAnchors(again)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('a counter with a negative or fractional key or value is refused before anything is appended', () => {
    const { journal } = journalOn();
    for (const [k, v] of [
      [-1, 0],
      [1.5, 0],
      [1, -1],
      [1, 0.5],
    ]) {
      const before = journal.stats().appended;
      expect(refusal(() => recordCounters(journal, new Map([[k, v]]))).message).toBe(
        `JOURNAL_RECORD_INVALID: counter ${k}=${v}`,
      );
      expect(journal.stats().appended).toBe(before);
    }
  });

  it('a counters record that is not a map of numbers, or nests deeper than one, is refused when read', () => {
    const cases: [string, Uint8Array, string][] = [
      ['not a map', encodeCbor([1, 2]), 'JOURNAL_RECORD_INVALID: counters body is not a map'],
      ['a text key', encodeCbor(new Map<string, CborValue>([['a', 1]])), 'JOURNAL_RECORD_INVALID: counters entry'],
      ['a bytes value', encodeCbor(new Map([[1, new Uint8Array(1)]])), 'JOURNAL_RECORD_INVALID: counters entry'],
      ['nested', encodeCbor(new Map<number, CborValue>([[1, []]])), 'CBOR_TOO_DEEP: nesting deeper than 1'],
    ];
    for (const [what, body, words] of cases) {
      const { journal } = journalOn();
      journal.append(JournalType.counters, body);
      expect(refusal(() => readCounters(journal)).message, what).toBe(words);
    }
  });
});
