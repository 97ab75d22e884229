/**
 * Bank-writer edges the scenario tests do not pin down: how the buffer size option becomes
 * the size of each program, the bounds of the payload length and of the resume offset (with
 * the words of each refusal), offset bookkeeping (`offset` and `durableOffset`), the writer's
 * state after it finished or failed, and a step-back recorder that fails.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { BankWriter, type BankWriterOptions } from '../../device/storage/bank-writer.js';
import { Rng } from '../../sim/rng.js';
import { NOR_00_ALIGN8, NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const PAYLOAD = new Rng(11).bytes(9000);

function rig(profile = NOR_FF_ALIGN4) {
  const media = chipFor(profile);
  const inst = instance(media, 0);
  return { media, layout: inst.layout, p: { flash: inst.flash, sha256: nobleSha256, boot: inst.boot } };
}

/** Lengths of the bank programs a whole write of `data` makes with `options`. */
function programSizes(media: FlashMedia, w: BankWriter, data: Uint8Array): number[] {
  media.log = [];
  w.write(0, data);
  w.finish(sha256(data));
  const sizes = media.log.filter((op) => op.kind === 'program').map((op) => op.length);
  media.log = undefined;
  return sizes;
}

describe('bank writer buffer', () => {
  it('programs pieces of the buffer size, rounded down to the write unit and to a divisor of the sector, between one unit and one sector', () => {
    const cases: [BankWriterOptions, number][] = [
      [{}, 256],
      [{ bufferSize: 1024 }, 1024],
      [{ bufferSize: 258 }, 256], // rounded down to the write unit, then to a divisor of 4096
      [{ bufferSize: 384 }, 256], // 384 does not divide 4096
      [{ bufferSize: 1 }, 4], // at least one write unit
      [{ bufferSize: 1 << 20 }, 4096], // at most one sector
    ];
    for (const [options, piece] of cases) {
      const { media, layout, p } = rig();
      const data = PAYLOAD.subarray(0, 2 * 4096);
      const sizes = programSizes(media, BankWriter.begin(p, layout, data.length, options), data);
      expect(new Set(sizes), JSON.stringify(options)).toEqual(new Set([piece]));
      expect(sizes.length).toBe(data.length / piece);
      expect(media.misuse).toEqual([]);
    }
  });

  it('on a part with 8-byte writes, the tail is padded with the erased value to one write unit', () => {
    const { media, layout, p } = rig(NOR_00_ALIGN8);
    const data = PAYLOAD.subarray(0, 1001);
    const sizes = programSizes(media, BankWriter.begin(p, layout, data.length, { bufferSize: 512 }), data);
    expect(sizes).toEqual([512, 496]);
    const bank = layout.banks[1];
    expect(media.peek(bank.offset, 1001)).toEqual(data);
    expect(media.peek(bank.offset + 1001, 7)).toEqual(new Uint8Array(7));
  });
});

describe('bank writer bounds', () => {
  it('a payload length of 0, negative, fractional or past the bank is refused with its words; the whole bank is taken', () => {
    const { layout, p } = rig();
    const size = layout.banks[1].size;
    for (const n of [0, -1, 1.5, size + 1]) {
      expect(refusal(() => BankWriter.begin(p, layout, n)).message).toBe(
        `STORAGE_TOO_LARGE: payload of ${n} bytes does not fit bank of ${size}`,
      );
      expect(refusal(() => BankWriter.resume(p, layout, n, 0)).code).toBe('STORAGE_TOO_LARGE');
    }
    const whole = new Rng(3).bytes(size);
    const w = BankWriter.begin(p, layout, size);
    w.write(0, whole);
    expect(w.finish(sha256(whole))).toEqual(sha256(whole));
  });

  it('a resume offset outside 0..length is refused with its words; the end itself is taken', () => {
    const { layout, p } = rig();
    const n = PAYLOAD.length;
    for (const at of [-1, n + 1, 2.5]) {
      expect(refusal(() => BankWriter.resume(p, layout, n, at)).message).toBe(
        `STORAGE_WRITER_STATE: resume offset ${at} outside 0..${n}`,
      );
    }
    const w = BankWriter.begin(p, layout, n);
    w.write(0, PAYLOAD);
    w.finish();
    const r = BankWriter.resume(p, layout, n, n);
    expect(r.offset).toBe(n);
    expect(r.finish(sha256(PAYLOAD))).toEqual(sha256(PAYLOAD));
  });

  it('a write out of order, past the length, or a finish before the end is refused with its words', () => {
    const { layout, p } = rig();
    const w = BankWriter.begin(p, layout, 100);
    expect(refusal(() => w.write(4, new Uint8Array(4))).message).toBe('STORAGE_WRITER_STATE: write at 4, expected 0');
    w.write(0, new Uint8Array(60).fill(1));
    expect(refusal(() => w.write(60, new Uint8Array(41))).message).toBe(
      'STORAGE_TOO_LARGE: payload passes its length 100',
    );
    expect(refusal(() => w.finish()).message).toBe('STORAGE_WRITER_STATE: finish at 60 of 100');
    // Refusals of the caller's arguments leave the writer open: the right write still goes.
    w.write(60, new Uint8Array(40).fill(2));
    expect(w.finish()).toHaveLength(32);
  });
});

describe('bank writer bookkeeping', () => {
  it('offset counts every byte taken; durableOffset only what is programmed and read back', () => {
    const { layout, p } = rig();
    const w = BankWriter.begin(p, layout, PAYLOAD.length, { bufferSize: 64 });
    w.write(0, PAYLOAD.subarray(0, 10));
    expect([w.offset, w.durableOffset]).toEqual([10, 0]);
    w.write(10, PAYLOAD.subarray(10, 70));
    expect([w.offset, w.durableOffset]).toEqual([70, 64]);
    // flush programs the whole write units buffered (6 bytes → 4) and says what is durable.
    expect(w.flush()).toBe(68);
    expect([w.offset, w.durableOffset]).toEqual([70, 68]);
    w.write(70, PAYLOAD.subarray(70));
    expect(w.finish(sha256(PAYLOAD))).toEqual(sha256(PAYLOAD));
    expect([w.offset, w.durableOffset]).toEqual([PAYLOAD.length, PAYLOAD.length]);
  });

  it('a finished writer, and one that failed, refuse every further call, naming their state', () => {
    const { layout, p } = rig();
    const w = BankWriter.begin(p, layout, 8);
    w.write(0, new Uint8Array(8).fill(3));
    w.finish();
    for (const call of [() => w.write(8, new Uint8Array(0)), () => w.flush(), () => w.finish()]) {
      expect(refusal(call).message).toBe('STORAGE_WRITER_STATE: bank writer is finished');
    }
    const { media: m2, layout: l2, p: p2 } = rig();
    const f = BankWriter.begin(p2, l2, 5000, { bufferSize: 4096 });
    m2.wearOut(l2.banks[1].firstSector, 'program-throws');
    expect(refusal(() => f.write(0, PAYLOAD.subarray(0, 4096))).code).toBe('STORAGE_FLASH_WRITE');
    for (const call of [() => f.write(f.offset, new Uint8Array(1)), () => f.flush(), () => f.finish()]) {
      expect(refusal(call).message).toBe('STORAGE_WRITER_STATE: bank writer is failed');
    }
  });

  it('a step-back recorder that throws is STORAGE_FLASH_WRITE, and nothing is erased', () => {
    const { media, layout, p } = rig();
    const S = layout.sectorSize;
    const w = BankWriter.begin(p, layout, PAYLOAD.length);
    w.write(0, PAYLOAD.subarray(0, S + 1000));
    w.flush();
    const erases = Array.from(media.eraseCount);
    const e = refusal(() =>
      BankWriter.resume(p, layout, PAYLOAD.length, S + 512, {
        onStepBack: () => {
          throw new Error('journal full');
        },
      }),
    );
    expect(e.message).toBe('STORAGE_FLASH_WRITE: journal full');
    expect(Array.from(media.eraseCount)).toEqual(erases);
    expect(refusal(() => BankWriter.resume(p, layout, PAYLOAD.length, S + 512)).message).toBe(
      `STORAGE_WRITER_STATE: resume must step back to ${S}; pass onStepBack to record it first`,
    );
  });

  it('a resume at a sector boundary, or where the rest of the sector reads erased, steps back nowhere', () => {
    const { layout, p } = rig();
    const S = layout.sectorSize;
    const w = BankWriter.begin(p, layout, PAYLOAD.length, { bufferSize: 256 });
    w.write(0, PAYLOAD.subarray(0, S + 512));
    w.flush();
    const never = () => {
      throw new Error('no step back expected');
    };
    expect(BankWriter.resume(p, layout, PAYLOAD.length, S, { onStepBack: never }).offset).toBe(S);
    const r = BankWriter.resume(p, layout, PAYLOAD.length, S + 512, { onStepBack: never });
    expect(r.offset).toBe(S + 512);
    // The rest of that sector is not erased again before it is programmed.
    r.write(r.offset, PAYLOAD.subarray(S + 512));
    expect(r.finish(sha256(PAYLOAD))).toEqual(sha256(PAYLOAD));
  });
});

describe('bank writer checks against the chip', () => {
  it('a bank byte that changes at rest before finish is STORAGE_VERIFY_MISMATCH: the bank is hashed again from flash', () => {
    const { media, layout, p } = rig();
    const w = BankWriter.begin(p, layout, PAYLOAD.length);
    w.write(0, PAYLOAD);
    w.flush();
    media.flipBits(layout.banks[1].offset + 100, 0x10);
    expect(refusal(() => w.finish()).message).toBe(
      'STORAGE_VERIFY_MISMATCH: bank digest differs from the bytes written',
    );
  });

  it('a digest other than the expected one is refused with its words', () => {
    const { layout, p } = rig();
    const w = BankWriter.begin(p, layout, PAYLOAD.length);
    w.write(0, PAYLOAD);
    const wrong = sha256(PAYLOAD);
    wrong[31] ^= 1;
    expect(refusal(() => w.finish(wrong)).message).toBe(
      'STORAGE_VERIFY_MISMATCH: bank digest differs from the expected digest',
    );
  });

  it('a program that lies is caught by its read-back, naming the bank and the offset', () => {
    const { media, layout, p } = rig();
    const w = BankWriter.begin(p, layout, PAYLOAD.length, { bufferSize: 256 });
    w.write(0, PAYLOAD.subarray(0, 256));
    // The next piece: the program after this one (the sector is erased already).
    media.silentProgramAt(media.ops);
    expect(refusal(() => w.write(256, PAYLOAD.subarray(256, 512))).message).toBe(
      'STORAGE_VERIFY_MISMATCH: read-back differs in bank 1 at 256',
    );
  });

  it('a flush with no whole write unit buffered makes no port call to program (not even of zero bytes)', () => {
    const { layout, p } = rig();
    const programs: number[] = [];
    const flash = {
      size: p.flash.size,
      sectorSize: p.flash.sectorSize,
      writeAlign: p.flash.writeAlign,
      erasedValue: p.flash.erasedValue,
      read: (o: number, into: Uint8Array) => p.flash.read(o, into),
      erase: (sector: number) => p.flash.erase(sector),
      program: (o: number, d: Uint8Array) => {
        programs.push(d.length);
        p.flash.program(o, d);
      },
    };
    const w = BankWriter.begin({ ...p, flash }, layout, 100);
    expect(w.flush()).toBe(0);
    w.write(0, new Uint8Array(3));
    expect(w.flush()).toBe(0);
    expect(programs).toEqual([]);
    w.write(3, new Uint8Array(97));
    w.finish();
    expect(programs).toEqual([100]);
  });

  it('begin erases each sector of a two-sector metadata record that holds bytes, and nothing else', () => {
    const config = { bankSize: 16 * 1024, metadataSize: 8192 };
    const media = chipFor(NOR_FF_ALIGN4, config);
    const inst = instance(media, 0, config);
    const meta = inst.layout.banks[1];
    inst.flash.program(meta.metaOffset, new Uint8Array([1, 2, 3, 4]));
    inst.flash.program(meta.metaOffset + 4096, new Uint8Array([5, 6, 7, 8]));
    const erases = Array.from(media.eraseCount);
    BankWriter.begin({ flash: inst.flash, sha256: nobleSha256, boot: inst.boot }, inst.layout, 100);
    const want = erases.slice();
    want[meta.metaFirstSector]++;
    want[meta.metaFirstSector + 1]++;
    expect(Array.from(media.eraseCount)).toEqual(want);
    expect(media.misuse).toEqual([]);
  });
});
