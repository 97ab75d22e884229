/**
 * flash-io, the only path from device/storage to the Flash port: each port failure becomes
 * the typed code of its operation (a port's own OtaError keeps its code), a program is read
 * back through the caller's scratch when it is large enough, and the erased-region scan reads
 * in scratch-sized pieces and answers "not erased" for a piece it cannot read.
 */
import { describe, expect, it } from 'vitest';
import { OtaError } from '../../device/errors.js';
import type { Flash } from '../../device/ports.js';
import {
  alignUp,
  allErased,
  eraseSector,
  programFlash,
  programVerified,
  readFlash,
  regionErased,
  tryRead,
} from '../../device/storage/flash-io.js';
import { NOR_00_ALIGN8, NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

/** A port whose every operation throws `thrown`. */
function failing(thrown: unknown): Flash {
  const fail = (): never => {
    throw thrown;
  };
  return { size: 8192, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff, read: fail, erase: fail, program: fail };
}

/** The same port, recording the length of every read. */
function recordingReads(flash: Flash): { flash: Flash; reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    flash: {
      size: flash.size,
      sectorSize: flash.sectorSize,
      writeAlign: flash.writeAlign,
      erasedValue: flash.erasedValue,
      read(offset, into) {
        reads.push(into.length);
        flash.read(offset, into);
      },
      erase: (s) => flash.erase(s),
      program: (o, d) => flash.program(o, d),
    },
  };
}

describe('flash-io port failures', () => {
  it('a port that throws is the typed code of its operation, with the port’s words', () => {
    const port = failing(new Error('bus timeout'));
    const buf = new Uint8Array(4);
    expect(refusal(() => readFlash(port, 0, buf)).message).toBe('STORAGE_FLASH_READ: bus timeout');
    expect(refusal(() => programFlash(port, 0, buf)).message).toBe('STORAGE_FLASH_WRITE: bus timeout');
    expect(refusal(() => eraseSector(port, 0)).message).toBe('STORAGE_FLASH_ERASE: bus timeout');
    expect(refusal(() => programVerified(port, 0, buf)).code).toBe('STORAGE_FLASH_WRITE');
    // A port that already speaks OtaError keeps its code.
    const typed = failing(new OtaError('STORAGE_VERIFY_MISMATCH', 'vendor check'));
    expect(refusal(() => readFlash(typed, 0, buf)).code).toBe('STORAGE_VERIFY_MISMATCH');
    // tryRead answers false instead.
    expect(tryRead(port, 0, buf)).toBe(false);
  });
});

describe('programVerified', () => {
  it('reads back through the caller’s scratch when it holds the data, and a fresh buffer otherwise', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash } = instance(media, 0);
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const exact = new Uint8Array(8);
    programVerified(flash, 4096, data, exact);
    expect(exact).toEqual(data);
    const larger = new Uint8Array(12).fill(0xee);
    programVerified(flash, 4096 + 8, data, larger);
    expect(larger).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 0xee, 0xee, 0xee, 0xee]));
    const short = new Uint8Array(4).fill(0xee);
    programVerified(flash, 4096 + 16, data, short);
    expect(short).toEqual(new Uint8Array(4).fill(0xee));
    expect(media.peek(4096, 24)).toEqual(new Uint8Array([...data, ...data, ...data]));
  });

  it('a program that reports success with wrong bits is STORAGE_VERIFY_MISMATCH naming the first byte that differs', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash } = instance(media, 0);
    media.silentProgramAt(media.ops);
    const data = new Uint8Array(16).fill(0x00);
    const e = refusal(() => programVerified(flash, 4096, data));
    expect(e.code).toBe('STORAGE_VERIFY_MISMATCH');
    const back = media.peek(4096, 16);
    const first = back.findIndex((b, i) => b !== data[i]);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(e.message).toBe(`STORAGE_VERIFY_MISMATCH: read-back differs at ${4096 + first}`);
  });
});

describe('erased checks', () => {
  it('allErased: every byte, the last one included', () => {
    expect(allErased(new Uint8Array(0), 0xff)).toBe(true);
    expect(allErased(new Uint8Array([0xff, 0xff, 0xff]), 0xff)).toBe(true);
    expect(allErased(new Uint8Array([0xff, 0xff, 0xfe]), 0xff)).toBe(false);
    expect(allErased(new Uint8Array([0, 0, 0]), 0x00)).toBe(true);
    expect(allErased(new Uint8Array([0, 1, 0]), 0x00)).toBe(false);
  });

  it('regionErased reads in scratch-sized pieces, never zero bytes, to the last byte of the region and not past it', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash: port } = instance(media, 0);
    const { flash, reads } = recordingReads(port);
    const scratch = new Uint8Array(256);
    expect(regionErased(flash, 4096, 1000, scratch)).toBe(true);
    expect(reads).toEqual([256, 256, 256, 232]);
    // A region of whole pieces: no zero-byte read at its end (a vendor port may refuse one).
    reads.length = 0;
    expect(regionErased(flash, 4096, 1024, scratch)).toBe(true);
    expect(reads).toEqual([256, 256, 256, 256]);
    // The last byte of the region counts; the byte after it does not.
    port.program(4096 + 996, new Uint8Array([0xff, 0xff, 0xff, 0x7f]));
    expect(regionErased(flash, 4096, 1000, scratch)).toBe(false);
    expect(regionErased(flash, 4096, 999, scratch)).toBe(true);
    port.program(4096 + 256, new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    expect(regionErased(flash, 4096, 256, scratch)).toBe(true);
    expect(regionErased(flash, 4096, 257, scratch)).toBe(false);
  });

  it('a piece that cannot be read (an ECC read fault) is not erased', () => {
    const media = chipFor(NOR_00_ALIGN8);
    const { flash } = instance(media, 0);
    expect(regionErased(flash, 4096, 4096, new Uint8Array(256))).toBe(true);
    media.flipBits(4096 + 3000, 0x03);
    expect(regionErased(flash, 4096, 4096, new Uint8Array(256))).toBe(false);
    expect(regionErased(flash, 4096, 2048, new Uint8Array(256))).toBe(true);
  });

  it('alignUp rounds up to the alignment, and keeps an aligned value', () => {
    expect([0, 1, 4, 5, 8, 56, 57].map((n) => alignUp(n, 4))).toEqual([0, 4, 4, 8, 8, 56, 60]);
    expect(alignUp(57, 8)).toBe(64);
  });
});
