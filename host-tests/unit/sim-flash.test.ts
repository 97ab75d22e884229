/** SimFlash: every NOR rule, both profiles, power cuts clean and torn, wear. */
import { describe, expect, it } from 'vitest';
import { FLASH_PROFILES, FlashMedia, FlashMisuse } from '../harness/sim-flash.js';
import { PowerLost, PowerRail } from '../harness/power-rail.js';

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
