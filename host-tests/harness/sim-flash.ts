/**
 * Emulated NOR flash. `FlashMedia` is the chip: its bytes, wear and operation counter
 * survive reboots. `SimFlash` is one device instance's Flash port over it, bound to that
 * instance's PowerRail.
 *
 * Rules enforced (a breach is a caller bug: it is recorded in `media.misuse`, thrown as
 * FlashMisuse, and a test that ends with any misuse fails):
 * - program only onto bytes that read as the erased value; offset and length aligned;
 * - everything inside the chip.
 * Power cuts: `cutPowerAt(n)` cuts the supply at operation n (0-based count of programs
 * and erases since the chip was made), either before it touches anything (clean) or in
 * the middle of it (torn):
 * - a torn program at byte k leaves bytes before k new and later bytes `old & (new | r)`
 *   for a random r (0xFF-erased; mirrored `old | (new & r)` for 0x00-erased);
 * - a torn erase leaves `old | r` (mirrored `old & r`).
 */
import type { Flash } from '../../device/ports.js';
import type { PowerRail } from './power-rail.js';
import { Rng } from './rng.js';

export interface FlashProfile {
  name: string;
  sectorSize: number;
  writeAlign: number;
  erasedValue: 0xff | 0x00;
}

/** Typical external SPI NOR (and ESP32): 4 KiB sectors, 4-byte writes, erased 0xFF. */
export const NOR_FF_ALIGN4: FlashProfile = { name: 'nor-ff-align4', sectorSize: 4096, writeAlign: 4, erasedValue: 0xff };
/** Internal flash with ECC words: 8-byte writes, erased 0x00. */
export const NOR_00_ALIGN8: FlashProfile = { name: 'nor-00-align8', sectorSize: 4096, writeAlign: 8, erasedValue: 0x00 };
export const FLASH_PROFILES: readonly FlashProfile[] = [NOR_FF_ALIGN4, NOR_00_ALIGN8];

export class FlashMisuse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashMisuse';
  }
}

export type FlashOpKind = 'program' | 'erase';

export interface FlashOpRecord {
  index: number;
  kind: FlashOpKind;
  offset: number;
  length: number;
  /** Set on the operation the power cut hit. */
  cut?: 'clean' | 'torn';
}

interface PendingCut {
  at: number;
  torn: boolean;
}

export class FlashMedia {
  readonly bytes: Uint8Array;
  /** Erases per sector since the chip was made. */
  readonly eraseCount: Uint32Array;
  /** Programs per sector since the chip was made. */
  readonly programCount: Uint32Array;
  /** Programs and erases attempted so far, the cut one included. */
  ops = 0;
  /** Caller bugs seen (unaligned, programming non-erased bytes, out of range). */
  readonly misuse: string[] = [];
  /** Optional log of every operation, for sweeps that want to know what they cut. */
  log: FlashOpRecord[] | undefined;
  /** Called for each completed or torn operation (energy accounting, tracing). */
  onOperation: ((kind: FlashOpKind, length: number) => void) | undefined;
  private pendingCut: PendingCut | undefined;
  private readonly rng: Rng;
  /** Set once a cut fired, until the next cut is armed. */
  cutFired = false;

  constructor(
    readonly profile: FlashProfile,
    readonly size: number,
    seed = 1,
  ) {
    if (size % profile.sectorSize !== 0) throw new RangeError('flash size must be a whole number of sectors');
    this.bytes = new Uint8Array(size).fill(profile.erasedValue);
    this.eraseCount = new Uint32Array(size / profile.sectorSize);
    this.programCount = new Uint32Array(size / profile.sectorSize);
    this.rng = new Rng(seed ^ 0x5eed);
  }

  get sectorCount(): number {
    return this.size / this.profile.sectorSize;
  }

  /** Arms a power cut at operation index `n` (compare `ops`): clean, or torn mid-operation. */
  cutPowerAt(n: number, options: { torn?: boolean } = {}): void {
    this.pendingCut = { at: n, torn: options.torn ?? false };
    this.cutFired = false;
  }

  disarm(): void {
    this.pendingCut = undefined;
  }

  /** A new port over this chip for a freshly booted instance. */
  attach(rail: PowerRail): SimFlash {
    return new SimFlash(this, rail);
  }

  /** Snapshot copy of a byte range (for tests; not a port call). */
  peek(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }

  // ---- called by SimFlash -------------------------------------------------------------

  bug(message: string): never {
    this.misuse.push(message);
    throw new FlashMisuse(message);
  }

  /** Decides the fate of the next operation: 'go', 'clean' (cut before) or 'torn'. */
  nextOp(kind: FlashOpKind, offset: number, length: number): 'go' | 'clean' | 'torn' {
    const index = this.ops++;
    let fate: 'go' | 'clean' | 'torn' = 'go';
    if (this.pendingCut && this.pendingCut.at === index) {
      fate = this.pendingCut.torn ? 'torn' : 'clean';
      this.pendingCut = undefined;
      this.cutFired = true;
    }
    if (this.log) this.log.push(fate === 'go' ? { index, kind, offset, length } : { index, kind, offset, length, cut: fate });
    return fate;
  }

  random(): number {
    return this.rng.nextU32();
  }
}

export class SimFlash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  readonly writeAlign: number;
  readonly erasedValue: 0xff | 0x00;

  constructor(
    readonly media: FlashMedia,
    private readonly rail: PowerRail,
  ) {
    this.size = media.size;
    this.sectorSize = media.profile.sectorSize;
    this.writeAlign = media.profile.writeAlign;
    this.erasedValue = media.profile.erasedValue;
  }

  read(offset: number, into: Uint8Array): void {
    this.rail.check();
    if (!Number.isInteger(offset) || offset < 0 || offset + into.length > this.size) {
      this.media.bug(`read out of range: ${offset}+${into.length}`);
    }
    into.set(this.media.bytes.subarray(offset, offset + into.length));
  }

  erase(sector: number): void {
    this.guardAlive();
    const m = this.media;
    if (!Number.isInteger(sector) || sector < 0 || sector >= m.sectorCount) m.bug(`erase of sector ${sector} out of range`);
    const start = sector * this.sectorSize;
    const fate = m.nextOp('erase', start, this.sectorSize);
    if (fate === 'clean') return this.cut('cut before erase');
    const b = m.bytes;
    if (fate === 'torn') {
      for (let i = start; i < start + this.sectorSize; i++) {
        const r = m.random() & 0xff;
        b[i] = this.erasedValue === 0xff ? b[i] | r : b[i] & r;
      }
    } else {
      b.fill(this.erasedValue, start, start + this.sectorSize);
    }
    m.eraseCount[sector]++;
    m.onOperation?.('erase', this.sectorSize);
    if (fate === 'torn') this.cut('cut during erase');
  }

  program(offset: number, data: Uint8Array): void {
    this.guardAlive();
    const m = this.media;
    const a = this.writeAlign;
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > this.size) m.bug(`program out of range: ${offset}+${data.length}`);
    if (offset % a !== 0 || data.length % a !== 0) m.bug(`unaligned program: ${offset}+${data.length} (align ${a})`);
    const b = m.bytes;
    for (let i = 0; i < data.length; i++) {
      if (b[offset + i] !== this.erasedValue) m.bug(`program onto non-erased byte at ${offset + i}`);
    }
    if (data.length === 0) return;
    const fate = m.nextOp('program', offset, data.length);
    if (fate === 'clean') return this.cut('cut before program');
    const torn = fate === 'torn' ? m.random() % data.length : data.length;
    for (let i = 0; i < data.length; i++) {
      if (i < torn) b[offset + i] = data[i];
      else {
        const r = m.random() & 0xff;
        b[offset + i] = this.erasedValue === 0xff ? b[offset + i] & (data[i] | r) : b[offset + i] | (data[i] & r);
      }
    }
    for (let s = Math.floor(offset / this.sectorSize); s <= Math.floor((offset + data.length - 1) / this.sectorSize); s++) m.programCount[s]++;
    m.onOperation?.('program', data.length);
    if (fate === 'torn') this.cut('cut during program');
  }

  /** After a cut nothing may touch the chip: the call throws before counting or changing anything. */
  private guardAlive(): void {
    this.rail.check();
  }

  private cut(reason: string): never {
    this.rail.cut(reason);
    this.rail.check();
    throw new Error('unreachable');
  }
}
