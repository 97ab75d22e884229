/**
 * Flash port contract (device/ports.ts `Flash`): geometry, erase to the erased value,
 * aligned programs that read back, bits that only move away from the erased value, and a
 * throw for every operation the port cannot do. It ERASES the sectors it is given: point
 * it at two spare sectors (or a scratch copy of the region), never at a bank in use.
 */
import type { Flash } from '../ports.js';
import { must, mustThrow, SuiteRun, type CheckResult } from './report.js';

export interface FlashSuiteOptions {
  /** Two neighbouring sectors the suite may erase and program, e.g. [s, s + 1]. */
  scratchSectors: [number, number];
}

function readBack(flash: Flash, offset: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  flash.read(offset, b);
  return b;
}

function allEqual(b: Uint8Array, value: number): number {
  for (let i = 0; i < b.length; i++) if (b[i] !== value) return i;
  return -1;
}

/** A pattern that moves every byte away from the erased value and is never erased-looking. */
function pattern(length: number, erased: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = (i * 31 + seed * 7 + 1) & 0xff;
    b[i] = v === erased ? v ^ 0x5a : v;
  }
  return b;
}

export function runFlashSuite(flash: Flash, options: FlashSuiteOptions): CheckResult[] {
  const run = new SuiteRun('Flash');
  const [s0, s1] = options.scratchSectors;
  const { sectorSize: ss, writeAlign: wa, erasedValue: ev } = flash;
  const base = s0 * ss;

  run.check('geometry: size a multiple of sectorSize, writeAlign 1/2/4/8/16 dividing it, erased 0xFF or 0x00', () => {
    must(
      Number.isInteger(ss) && ss > 0 && flash.size > 0 && flash.size % ss === 0,
      `size ${flash.size}, sectorSize ${ss}`,
    );
    must([1, 2, 4, 8, 16].indexOf(wa) >= 0 && ss % wa === 0, `writeAlign ${wa}`);
    must(ev === 0xff || ev === 0x00, `erasedValue ${ev}`);
    must(
      s1 === s0 + 1 && s0 >= 0 && (s1 + 1) * ss <= flash.size,
      `scratch sectors ${s0}, ${s1} not two neighbours inside the region`,
    );
  });

  run.check('erase sets every byte of the sector to the erased value', () => {
    flash.erase(s0);
    flash.erase(s1);
    // Program something into both, so that an erase that does nothing cannot pass.
    flash.program(base, pattern(wa, ev, 9));
    flash.program(base + ss, pattern(wa, ev, 10));
    flash.erase(s0);
    flash.erase(s1);
    const at = allEqual(readBack(flash, base, 2 * ss), ev);
    must(at < 0, `byte ${at} of the scratch sectors is not 0x${ev.toString(16)} after erase`);
  });

  run.check('an aligned program reads back, and the bytes around it stay erased', () => {
    const data = pattern(4 * wa, ev, 1);
    flash.program(base + 2 * wa, data);
    const got = readBack(flash, base, 8 * wa);
    for (let i = 0; i < data.length; i++)
      must(got[2 * wa + i] === data[i], `byte ${2 * wa + i} reads 0x${got[2 * wa + i].toString(16)}`);
    must(
      allEqual(got.subarray(0, 2 * wa), ev) < 0 && allEqual(got.subarray(6 * wa), ev) < 0,
      'a byte outside the program changed',
    );
  });

  run.check('program and read honour views that start inside a larger buffer', () => {
    const big = pattern(8 * wa, ev, 2);
    flash.program(base + 8 * wa, big.subarray(wa, 3 * wa));
    const into = new Uint8Array(6 * wa).fill(0x33);
    flash.read(base + 8 * wa, into.subarray(2 * wa, 4 * wa));
    for (let i = 0; i < 2 * wa; i++) must(into[2 * wa + i] === big[wa + i], `byte ${i} read back wrong`);
    must(into[2 * wa - 1] === 0x33 && into[4 * wa] === 0x33, 'read wrote outside the view it was given');
  });

  run.check('a program that spans the two sectors reads back', () => {
    const data = pattern(2 * wa, ev, 3);
    flash.program(base + ss - wa, data);
    const got = readBack(flash, base + ss - wa, 2 * wa);
    for (let i = 0; i < data.length; i++) must(got[i] === data[i], `byte ${i} reads 0x${got[i].toString(16)}`);
  });

  run.check('programming over programmed bytes throws or only moves bits away from the erased value (NOR)', () => {
    const at = base + 16 * wa;
    const first = pattern(wa, ev, 4);
    flash.program(at, first);
    const second = pattern(wa, ev, 5);
    let threw = false;
    try {
      flash.program(at, second);
    } catch {
      threw = true;
    }
    const got = readBack(flash, at, wa);
    for (let i = 0; i < wa; i++) {
      // A byte may keep its old value (refused) or take old AND new (0xFF-erased) / old OR new (0x00-erased).
      const nor = ev === 0xff ? first[i] & second[i] : first[i] | second[i];
      const ok = got[i] === first[i] || (!threw && got[i] === nor);
      must(ok, `byte ${i} reads 0x${got[i].toString(16)}: a bit moved back toward the erased value`);
    }
  });

  run.check('erase of one sector restores it and leaves its neighbour alone', () => {
    const before = readBack(flash, base + ss, ss);
    flash.erase(s0);
    must(allEqual(readBack(flash, base, ss), ev) < 0, 'the erased sector is not erased');
    const after = readBack(flash, base + ss, ss);
    for (let i = 0; i < ss; i++) must(after[i] === before[i], `byte ${i} of the next sector changed`);
  });

  run.check('unaligned program offset or length throws', () => {
    if (wa === 1) return; // every offset and length is aligned
    flash.erase(s0);
    mustThrow(() => flash.program(base + 1, pattern(wa, ev, 6)), 'a program at offset 1 did not throw');
    mustThrow(() => flash.program(base + wa, pattern(wa + 1, ev, 7)), `a program of ${wa + 1} bytes did not throw`);
  });

  run.check('read, program and erase outside the region throw', () => {
    mustThrow(() => flash.read(flash.size - 1, new Uint8Array(2)), 'a read past the end did not throw');
    mustThrow(() => flash.program(flash.size, pattern(wa, ev, 8)), 'a program past the end did not throw');
    mustThrow(() => flash.erase(flash.size / ss), 'an erase of the sector after the last did not throw');
    mustThrow(() => flash.erase(-1), 'an erase of sector -1 did not throw');
  });

  run.check('scratch sectors left erased', () => {
    flash.erase(s0);
    flash.erase(s1);
    must(allEqual(readBack(flash, base, 2 * ss), ev) < 0, 'not erased');
  });
  return run.results;
}
