/** SimFlash: every NOR rule, both profiles, power cuts clean and torn, wear. */
import { describe, expect, it } from 'vitest';
import {
  FLASH_PROFILES,
  FlashHardwareError,
  FlashMedia,
  FlashMisuse,
  FlashReadFault,
  NOR_00_ALIGN8,
  NOR_FF_ALIGN4,
} from '../../sim/sim-flash.js';
import { PowerLost, PowerRail } from '../../sim/power-rail.js';

const SIZE = 4 * 4096;

describe.each(FLASH_PROFILES)('SimFlash $name', (profile) => {
  const E = profile.erasedValue;
  const A = profile.writeAlign;

  function fresh(seed = 1) {
    const media = new FlashMedia(profile, SIZE, seed);
    const rail = new PowerRail();
    return { media, rail, flash: media.attach(rail) };
  }

  it('starts erased and reports its geometry', () => {
    const { flash } = fresh();
    expect(flash.size).toBe(SIZE);
    expect(flash.sectorSize).toBe(4096);
    expect(flash.writeAlign).toBe(A);
    expect(flash.erasedValue).toBe(E);
    const out = new Uint8Array(64);
    flash.read(100, out);
    expect([...out].every((b) => b === E)).toBe(true);
  });

  it('programs aligned data onto erased bytes and reads it back', () => {
    const { flash, media } = fresh();
    const data = new Uint8Array(A * 3).map((_, i) => i + 1);
    flash.program(A * 2, data);
    const out = new Uint8Array(data.length);
    flash.read(A * 2, out);
    expect(out).toEqual(data);
    expect(media.ops).toBe(1);
    expect(media.programCount[0]).toBe(1);
    expect(media.misuse).toEqual([]);
  });

  it('erase sets the whole sector, and only it, to the erased value, and counts wear', () => {
    const { flash, media } = fresh();
    const data = new Uint8Array(A).fill(0x5a);
    flash.program(0, data);
    flash.program(4096, data);
    flash.erase(0);
    expect(media.peek(0, A)).toEqual(new Uint8Array(A).fill(E));
    expect(media.peek(4096, A)).toEqual(data);
    expect(media.eraseCount[0]).toBe(1);
    expect(media.eraseCount[1]).toBe(0);
    flash.program(0, data); // erased again: programmable
    expect(media.misuse).toEqual([]);
  });

  it('programming a non-erased byte is a caller bug that fails the test', () => {
    const { flash, media } = fresh();
    flash.program(0, new Uint8Array(A).fill(0x5a));
    expect(() => flash.program(0, new Uint8Array(A).fill(0x5a))).toThrow(FlashMisuse);
    expect(media.misuse).toHaveLength(1);
  });

  it('an unaligned offset or length is a caller bug', () => {
    const { flash, media } = fresh();
    expect(() => flash.program(1, new Uint8Array(A))).toThrow(FlashMisuse);
    expect(() => flash.program(0, new Uint8Array(A + 1))).toThrow(FlashMisuse);
    expect(media.misuse).toHaveLength(2);
    expect(media.ops).toBe(0);
  });

  it('out-of-range access is a caller bug', () => {
    const { flash } = fresh();
    expect(() => flash.erase(4)).toThrow(FlashMisuse);
    expect(() => flash.read(SIZE - 2, new Uint8Array(4))).toThrow(FlashMisuse);
    expect(() => flash.program(SIZE, new Uint8Array(A))).toThrow(FlashMisuse);
  });

  it('a clean cut stops the operation before it touches anything, then every call throws PowerLost', () => {
    const { flash, media, rail } = fresh();
    media.cutPowerAt(1);
    flash.program(0, new Uint8Array(A).fill(1));
    const before = media.peek(0, SIZE);
    expect(() => flash.program(A, new Uint8Array(A).fill(2))).toThrow(PowerLost);
    expect(rail.alive).toBe(false);
    expect(media.peek(0, SIZE)).toEqual(before);
    // Nothing succeeds after the cut: not a program, not an erase, not a read.
    const opsAtCut = media.ops;
    expect(() => flash.erase(0)).toThrow(PowerLost);
    expect(() => flash.program(2 * A, new Uint8Array(A))).toThrow(PowerLost);
    expect(() => flash.read(0, new Uint8Array(4))).toThrow(PowerLost);
    expect(media.ops).toBe(opsAtCut);
    expect(media.peek(0, SIZE)).toEqual(before);
    // A reboot is a new instance over the same chip, with RAM gone and flash kept.
    const again = media.attach(new PowerRail());
    const out = new Uint8Array(A);
    again.read(0, out);
    expect(out).toEqual(new Uint8Array(A).fill(1));
    again.program(A, new Uint8Array(A).fill(2));
    expect(media.misuse).toEqual([]);
  });

  it('a torn program leaves bytes before k new and later bytes old & (new | r) (mirrored for 0x00)', () => {
    let sawPartial = false;
    for (let seed = 1; seed <= 40; seed++) {
      const { flash, media } = fresh(seed);
      const n = 64;
      const data = new Uint8Array(n).map((_, i) => (i * 37 + 11) & 0xff);
      media.cutPowerAt(0, { torn: true });
      expect(() => flash.program(0, data)).toThrow(PowerLost);
      const got = media.peek(0, n);
      let k = 0;
      while (k < n && got[k] === data[k]) k++;
      for (let i = 0; i < n; i++) {
        if (E === 0xff) {
          // from erased 0xFF, bits are only ever cleared where the new data clears them
          expect(got[i] & data[i]).toBe(data[i]);
        } else {
          // from erased 0x00, bits are only ever set where the new data sets them
          expect(got[i] & ~data[i] & 0xff).toBe(0);
        }
      }
      if (k < n) sawPartial = true;
    }
    expect(sawPartial).toBe(true);
  });

  it('a torn erase leaves old | r (mirrored old & r): never a clean sector you can trust', () => {
    const { flash, media } = fresh(7);
    const data = new Uint8Array(4096).fill(E === 0xff ? 0x00 : 0xff);
    for (let o = 0; o < 4096; o += 256) flash.program(o, data.subarray(0, 256));
    media.cutPowerAt(media.ops, { torn: true });
    expect(() => flash.erase(0)).toThrow(PowerLost);
    const got = media.peek(0, 4096);
    const erased = got.filter((b) => b === E).length;
    expect(erased).toBeGreaterThan(0);
    expect(erased).toBeLessThan(4096);
    expect(media.eraseCount[0]).toBe(1);
  });

  it('the operation log names the cut operation', () => {
    const { flash, media } = fresh();
    media.log = [];
    media.cutPowerAt(2, { torn: true });
    flash.erase(1);
    flash.program(4096, new Uint8Array(A));
    expect(() => flash.program(4096 + A, new Uint8Array(A).fill(3))).toThrow(PowerLost);
    expect(media.log.map((r) => [r.index, r.kind, r.cut])).toEqual([
      [0, 'erase', undefined],
      [1, 'program', undefined],
      [2, 'program', 'torn'],
    ]);
  });
});

/** The fault model of real parts (the header of sim-flash.ts), one behaviour per test. */
describe.each(FLASH_PROFILES)('SimFlash faults on $name', (profile) => {
  const E = profile.erasedValue;
  const A = profile.writeAlign;
  const P = E === 0xff ? 0x00 : 0xff; // fully programmed byte

  function fresh(seed = 1) {
    const media = new FlashMedia(profile, SIZE, seed);
    return { media, flash: media.attach(new PowerRail()) };
  }

  const readAt = (flash: { read(o: number, b: Uint8Array): void }, o: number, n: number) => {
    const b = new Uint8Array(n);
    flash.read(o, b);
    return b;
  };

  it('retention: one flipped bit reads back flipped without ECC and corrected with it; two make an ECC word unreadable', () => {
    const { flash, media } = fresh();
    flash.program(0, new Uint8Array(4 * A).fill(0x5a));
    media.flipBits(1, 0x01);
    if (profile.ecc) {
      expect(readAt(flash, 0, A)[1]).toBe(0x5a);
      expect(media.corrected).toBe(1);
    } else expect(readAt(flash, 0, A)[1]).toBe(0x5b);
    media.flipBits(A + 2, 0x03);
    if (profile.ecc) {
      expect(() => readAt(flash, A, 1)).toThrow(FlashReadFault);
      expect(() => readAt(flash, 0, 4 * A)).toThrow(FlashReadFault);
      // Words around it still read; an erase mends the sector.
      expect(readAt(flash, 2 * A, A)).toEqual(new Uint8Array(A).fill(0x5a));
      flash.erase(0);
      expect(readAt(flash, A, A)).toEqual(new Uint8Array(A).fill(E));
    } else expect(readAt(flash, A + 2, 1)[0]).toBe(0x5a ^ 0x03);
  });

  it('a program that reports success can leave wrong bits: read back wrong, or an ECC fault for two bits', () => {
    const { flash, media } = fresh(3);
    media.log = [];
    media.silentProgramAt(0, 2);
    const data = new Uint8Array(2 * A).fill(P);
    flash.program(0, data);
    expect(media.log[0].silent).toBe(true);
    if (profile.ecc) expect(() => readAt(flash, 0, 2 * A)).toThrow(FlashReadFault);
    else {
      const got = readAt(flash, 0, 2 * A);
      let wrong = 0;
      for (let i = 0; i < got.length; i++) for (let x = got[i] ^ data[i]; x; x &= x - 1) wrong++;
      expect(wrong).toBe(2);
    }
    // One wrong bit on an ECC part is corrected on read.
    if (profile.ecc) {
      media.silentProgramAt(1, 1);
      flash.program(4096, data);
      expect(readAt(flash, 4096, 2 * A)).toEqual(data);
      expect(media.corrected).toBeGreaterThan(0);
    }
  });

  it('a torn program: on ECC the word being written is unreadable, earlier words whole and later ones untouched', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { media } = fresh(seed);
      const rail = new PowerRail();
      const flash = media.attach(rail);
      const data = new Uint8Array(8 * A).map((_, i) => (i * 37 + 1) & 0xff || 1);
      media.cutPowerAt(0, { torn: true });
      expect(() => flash.program(0, data)).toThrow(PowerLost);
      const after = media.attach(new PowerRail());
      if (!profile.ecc) continue;
      let faulty = 0;
      for (let w = 0; w < 8; w++) {
        try {
          const got = readAt(after, w * A, A);
          expect(got.every((b, i) => b === data[w * A + i]) || got.every((b) => b === E)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(FlashReadFault);
          faulty++;
        }
      }
      expect(faulty).toBe(1);
      // The torn word may not be programmed again before an erase (a caller bug on ECC parts).
      const tornAt = [...Array(8).keys()].find((w) => media.unreadable(w * A, A))!;
      expect(() => after.program(tornAt * A, new Uint8Array(A).fill(E))).toThrow(FlashMisuse);
    }
  });

  it('a torn erase: on ECC every word of the sector is unreadable until erased again', () => {
    const { media } = fresh(5);
    const flash = media.attach(new PowerRail());
    flash.program(0, new Uint8Array(256).fill(P));
    media.cutPowerAt(media.ops, { torn: true });
    expect(() => flash.erase(0)).toThrow(PowerLost);
    const after = media.attach(new PowerRail());
    if (profile.ecc) {
      expect(() => readAt(after, 0, A)).toThrow(FlashReadFault);
      expect(() => readAt(after, 4000, A)).toThrow(FlashReadFault);
      expect(readAt(after, 4096, A)).toEqual(new Uint8Array(A).fill(E)); // the next sector is untouched
    }
    after.erase(0);
    expect(readAt(after, 0, 4096).every((b) => b === E)).toBe(true);
  });

  it('a weak erase reads erased at first and decays after the given number of operations', () => {
    const { flash, media } = fresh(9);
    flash.program(4096, new Uint8Array(64).fill(P));
    media.weakErase(1, 3);
    flash.erase(1);
    const probe = () => {
      try {
        return readAt(flash, 4096, 4096).every((b) => b === E);
      } catch (e) {
        expect(e).toBeInstanceOf(FlashReadFault);
        return false;
      }
    };
    expect(probe()).toBe(true);
    flash.program(0, new Uint8Array(A).fill(1));
    flash.program(A, new Uint8Array(A).fill(1));
    expect(probe()).toBe(true);
    flash.program(2 * A, new Uint8Array(A).fill(1));
    flash.program(3 * A, new Uint8Array(A).fill(1));
    expect(probe()).toBe(false);
    // A good erase mends it: the weakness was one erase's.
    flash.erase(1);
    expect(probe()).toBe(true);
  });

  it('wear-out: a worn sector fails to erase (throws, or leaves a byte programmed) or to program', () => {
    const { flash, media } = fresh();
    media.wearOut(1, 'erase-throws');
    expect(() => flash.erase(1)).toThrow(FlashHardwareError);
    media.wearOut(2, 'erase-stuck');
    flash.erase(2);
    const back = readAt(flash, 2 * 4096, 4096);
    expect(back.filter((b) => b !== E)).toHaveLength(1);
    media.wearOut(3, 'program-throws');
    expect(() => flash.program(3 * 4096, new Uint8Array(A).fill(P))).toThrow(FlashHardwareError);
    // An endurance limit wears out every sector erased that many times.
    const other = fresh();
    other.media.enduranceLimit = 2;
    other.flash.erase(0);
    other.flash.erase(0);
    expect(readAt(other.flash, 0, 4096).every((b) => b === E)).toBe(true);
    other.flash.erase(0);
    expect(readAt(other.flash, 0, 4096).every((b) => b === E)).toBe(false);
    expect(media.misuse).toEqual([]);
  });
});

describe('SimFlash unstable torn bits (non-ECC)', () => {
  it('two reads of the same torn word can differ until the sector is erased', () => {
    let differed = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const media = new FlashMedia(NOR_FF_ALIGN4, SIZE, seed);
      media.unstableTears = true;
      const flash = media.attach(new PowerRail());
      media.cutPowerAt(0, { torn: true });
      expect(() => flash.program(0, new Uint8Array(64).fill(0x00))).toThrow(PowerLost);
      const after = media.attach(new PowerRail());
      const reads = new Set<string>();
      for (let k = 0; k < 8; k++) {
        const b = new Uint8Array(64);
        after.read(0, b);
        reads.add(b.join(','));
      }
      if (reads.size > 1) differed++;
      after.erase(0);
      const b = new Uint8Array(64);
      after.read(0, b);
      expect(b.every((x) => x === 0xff)).toBe(true);
    }
    expect(differed).toBeGreaterThan(5);
  });

  it('is off for ECC parts, which raise a read fault instead', () => {
    expect(NOR_00_ALIGN8.ecc).toBe(true);
    expect(NOR_FF_ALIGN4.ecc).toBeFalsy();
  });
});
