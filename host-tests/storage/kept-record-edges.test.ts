/**
 * Kept-record edges the scenario tests do not reach: copy B alone, the sequence through
 * its wrap, copies whose CRC is right but whose content is not, the size limit, the
 * counters' rules, and the bounded write retries.
 */
import { describe, expect, it } from 'vitest';
import { keepCounters, keepTrustAnchors, readKept, writeKept } from '../../device/storage/kept-record.js';
import { readU32, writeU32 } from '../../device/util/bytes.js';
import { encodeCbor, type CborValue } from '../../device/util/cbor.js';
import { crc32 } from '../../device/util/crc32.js';
import { NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const MAGIC = 0x524b4841;
const anchors = new Uint8Array([1, 2, 3, 4, 5]);

/** Programs a copy by hand into kept sector `which` (erased first): magic, seq, length, CRC over header and body. */
function plant(
  media: FlashMedia,
  which: 0 | 1,
  seq: number,
  body: Uint8Array,
  options: { length?: number; magic?: number } = {},
): void {
  const { flash, layout } = instance(media, 0);
  const bytes = new Uint8Array(Math.ceil((16 + body.length) / layout.writeAlign) * layout.writeAlign).fill(
    layout.erasedValue,
  );
  writeU32(bytes, 0, options.magic ?? MAGIC);
  writeU32(bytes, 4, seq);
  writeU32(bytes, 8, options.length ?? body.length);
  bytes.set(body, 16);
  const covered = new Uint8Array(12 + body.length);
  covered.set(bytes.subarray(0, 12));
  covered.set(body, 12);
  writeU32(bytes, 12, crc32(covered));
  flash.erase(layout.keptSectors[which]);
  flash.program(layout.keptSectors[which] * layout.sectorSize, bytes);
}

const map = (entries: [number, CborValue][]) => encodeCbor(new Map<number, CborValue>(entries));

describe('kept record edges', () => {
  it('copy B alone stands; both valid, the later sequence stands, across the 32-bit wrap', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    plant(
      media,
      1,
      5,
      map([
        [1, anchors],
        [2, new Map()],
      ]),
    );
    expect(readKept(flash, layout)?.trustAnchors).toEqual(anchors);
    plant(media, 0, 0xffffffff, map([[2, new Map([[1, 1]])]]));
    plant(media, 1, 0, map([[2, new Map([[1, 2]])]]));
    expect(readKept(flash, layout)?.counters.get(1)).toBe(2);
    // The next write goes to the copy that does not stand (A), one past the standing sequence.
    keepCounters(flash, layout, new Map([[1, 3]]));
    expect(readU32(media.peek(layout.keptSectors[0] * layout.sectorSize, 8), 4)).toBe(1);
    expect(readKept(flash, layout)?.counters.get(1)).toBe(3);
  });

  it('a first write goes to copy A with sequence 1', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    writeKept(flash, layout, { trustAnchors: anchors, counters: new Map() });
    const head = media.peek(layout.keptSectors[0] * layout.sectorSize, 16);
    expect([readU32(head, 0), readU32(head, 4)]).toEqual([MAGIC, 1]);
  });

  it('a copy with a right CRC but wrong content is invalid: magic, length past the sector, not a map, wrong field types, too deep', () => {
    const bad: [string, (m: FlashMedia) => void][] = [
      ['magic', (m) => plant(m, 0, 1, map([[2, new Map()]]), { magic: MAGIC ^ 1 })],
      ['length past the sector', (m) => plant(m, 0, 1, map([[2, new Map()]]), { length: 4096 - 15 })],
      ['not a map', (m) => plant(m, 0, 1, encodeCbor([1, 2]))],
      [
        'anchors not bytes',
        (m) =>
          plant(
            m,
            0,
            1,
            map([
              [1, 7],
              [2, new Map()],
            ]),
          ),
      ],
      ['counters missing', (m) => plant(m, 0, 1, map([[1, anchors]]))],
      [
        'counter entry not numbers',
        (m) => plant(m, 0, 1, map([[2, new Map<number, CborValue>([[1, new Uint8Array(1)]])]])),
      ],
      [
        'counter key not a number',
        (m) => plant(m, 0, 1, map([[2, new Map<CborValue, CborValue>([['a', 1]]) as unknown as CborValue]])),
      ],
      // An empty list where the counters map belongs: iterating it would yield no counter at all.
      [
        'counters an empty array, not a map',
        (m) =>
          plant(
            m,
            0,
            1,
            map([
              [1, anchors],
              [2, []],
            ]),
          ),
      ],
      // The kept state is two levels deep; anything deeper is refused by the parser's depth
      // bound, so a damaged copy cannot make the parser recurse (RAM, stack) before it is dropped.
      [
        'nested deeper than the kept state',
        (m) =>
          plant(
            m,
            0,
            1,
            map([
              [1, anchors],
              [2, new Map()],
              [3, [[0]]],
            ]),
          ),
      ],
      ['a length of 4 GB (never allocated)', (m) => plant(m, 0, 1, map([[2, new Map()]]), { length: 0xfffffff0 })],
      [
        'one body bit flipped under a valid CBOR reading',
        (m) => {
          plant(
            m,
            0,
            1,
            map([
              [1, anchors],
              [2, new Map()],
            ]),
          );
          const { layout } = instance(m, 0);
          m.flipBits(layout.keptSectors[0] * layout.sectorSize + 16 + 3, 0x01);
        },
      ],
    ];
    for (const [what, damage] of bad) {
      const media = chipFor(NOR_FF_ALIGN4);
      const { flash, layout } = instance(media, 0);
      damage(media);
      expect(readKept(flash, layout), what).toBeUndefined();
      // A length past the sector is refused before it is read (nor allocated: RAM stays one sector).
      expect(media.misuse, what).toEqual([]);
    }
    // The same plant with right content reads.
    const media = chipFor(NOR_FF_ALIGN4);
    plant(
      media,
      0,
      1,
      map([
        [1, anchors],
        [2, new Map([[3, 9]])],
      ]),
    );
    const { flash, layout } = instance(media, 0);
    expect(readKept(flash, layout)).toEqual({ trustAnchors: anchors, counters: new Map([[3, 9]]) });
  });

  it('a copy that fills its sector exactly is taken; one byte more is STORAGE_TOO_LARGE', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    // Body: map(2) · key 1 · bytes(n) header of 3 · n bytes · key 2 · empty map = n + 7; header 16.
    const fill = layout.sectorSize - 16 - 7;
    writeKept(flash, layout, { trustAnchors: new Uint8Array(fill).fill(0x33), counters: new Map() });
    expect(readKept(flash, layout)?.trustAnchors?.length).toBe(fill);
    const e = refusal(() => writeKept(flash, layout, { trustAnchors: new Uint8Array(fill + 1), counters: new Map() }));
    expect(e.message).toBe(`STORAGE_TOO_LARGE: kept record of ${fill + 8} bytes`);
  });

  it('a state larger than a sector is STORAGE_TOO_LARGE before anything is erased', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    const before = media.ops;
    const e = refusal(() =>
      writeKept(flash, layout, { trustAnchors: new Uint8Array(layout.sectorSize), counters: new Map() }),
    );
    expect(e.code).toBe('STORAGE_TOO_LARGE');
    expect(media.ops).toBe(before);
  });

  it('counters alone on a blank chip: no trust anchors are invented, and key and value 0 are valid', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    keepCounters(
      flash,
      layout,
      new Map([
        [0, 0],
        [3, 1],
      ]),
    );
    const kept = readKept(flash, layout);
    expect(kept).toEqual({
      counters: new Map([
        [0, 0],
        [3, 1],
      ]),
    });
    expect(kept && 'trustAnchors' in kept).toBe(false);
  });

  it('counters: equal or higher is taken, lower is refused naming the counter, invalid keys and values are refused; the anchors stay', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    keepTrustAnchors(flash, layout, anchors);
    keepCounters(
      flash,
      layout,
      new Map([
        [2, 5],
        [1, 7],
      ]),
    );
    keepCounters(
      flash,
      layout,
      new Map([
        [2, 5],
        [1, 8],
        [4, 0],
      ]),
    );
    const down = refusal(() => keepCounters(flash, layout, new Map([[1, 6]])));
    expect(down.message).toBe('JOURNAL_RECORD_INVALID: counter 1 would go down from 8 to 6');
    for (const [k, v] of [
      [-1, 1],
      [1.5, 1],
      [9, -1],
      [9, 0.5],
    ]) {
      expect(
        refusal(() =>
          keepCounters(
            flash,
            layout,
            new Map([
              [1, 8],
              [k, v],
            ]),
          ),
        ).message,
      ).toBe(`JOURNAL_RECORD_INVALID: counter ${k}=${v}`);
    }
    expect(readKept(flash, layout)).toEqual({
      trustAnchors: anchors,
      counters: new Map([
        [1, 8],
        [2, 5],
        [4, 0],
      ]),
    });
    keepTrustAnchors(flash, layout, new Uint8Array([9]));
    expect(readKept(flash, layout)?.counters).toEqual(
      new Map([
        [1, 8],
        [2, 5],
        [4, 0],
      ]),
    );
  });

  it('a worn copy is tried exactly three times, then STORAGE_FLASH_WRITE, and the standing copy is untouched', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    keepTrustAnchors(flash, layout, anchors);
    media.wearOut(layout.keptSectors[1], 'program-throws');
    const before = media.eraseCount[layout.keptSectors[1]];
    const e = refusal(() => keepTrustAnchors(flash, layout, new Uint8Array([9])));
    expect(e.code).toBe('STORAGE_FLASH_WRITE');
    // The port's own words reach the caller: which sector failed, and how.
    expect(e.message).toContain('worn sector');
    expect(media.eraseCount[layout.keptSectors[1]] - before).toBe(3);
    expect(readKept(flash, layout)?.trustAnchors).toEqual(anchors);
  });
});
