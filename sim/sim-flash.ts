/**
 * Emulated NOR flash. `FlashMedia` is the chip: its bytes, wear, faults and operation
 * counter survive reboots. `SimFlash` is one device instance's Flash port over it, bound
 * to that instance's PowerRail.
 *
 * Rules enforced (a breach is a caller bug: it is recorded in `media.misuse`, thrown as
 * FlashMisuse, and a test that ends with any misuse fails):
 * - program only onto bytes that read as the erased value; offset and length aligned;
 * - everything inside the chip.
 *
 * Power cuts: `cutPowerAt(n)` cuts the supply at operation n (0-based count of programs
 * and erases since the chip was made), either before it touches anything (clean) or in
 * the middle of it (torn):
 * - a torn program at byte k leaves bytes before k new and later bytes `old & (new | r)`
 *   for a random r (0xFF-erased; mirrored `old | (new & r)` for 0x00-erased);
 * - a torn erase leaves `old | r` (mirrored `old & r`).
 *
 * The fault model of real parts (each one a method of FlashMedia, off unless asked for):
 * - **ECC words** (`profile.ecc`, one ECC word per write unit, as on STM32 and EFR32
 *   internal flash): a word whose stored bits do not match its ECC raises a read fault:
 *   `read` throws FlashReadFault for any range that touches it. A torn program makes the
 *   word it was writing unreadable (the words before it are whole, the words after it
 *   untouched); a torn erase makes every word of the sector unreadable. An erase makes
 *   the sector's words readable again. One flipped bit in a word is corrected on read
 *   (counted in `corrected`); two or more make it unreadable.
 * - **Retention errors** (`flipBits`): bits flip at rest. Without ECC the read returns the
 *   flipped bits; with ECC see above.
 * - **A program that reports success but leaves wrong bits** (`silentProgramAt(n)`): the
 *   program at operation n returns normally, but some bits it should have moved stay
 *   erased. Without ECC they read back wrong; with ECC one wrong bit is corrected and
 *   more raise a read fault.
 * - **Weak erase** (`weakErase(sector, afterOps)`): the next erase of the sector returns
 *   and reads erased, but `afterOps` operations later some of its bits drift back
 *   (every byte then holds what it held, with extra programmed bits).
 * - **Wear-out** (`wearOut(sector, mode)`): a worn sector's erase throws ('erase-throws'),
 *   or returns with a byte still programmed ('erase-stuck'); its programs throw
 *   ('program-throws'). `enduranceLimit` wears out ('erase-stuck') every sector erased
 *   more than that many times.
 * - **Unstable torn bits** (`unstableTears`, non-ECC parts): a bit a torn operation left
 *   half-way reads 0 or 1 at random on every read until the sector is erased, so two
 *   reads of the same torn word can differ. A program over such a bit settles it only
 *   where the new data programs it.
 */
import type { Flash } from '../device/ports.js';
import type { PowerRail } from './power-rail.js';
import { Rng } from './rng.js';

export interface FlashProfile {
  name: string;
  sectorSize: number;
  writeAlign: number;
  erasedValue: 0xff | 0x00;
  /** One ECC word per write unit: a word whose bits do not match its ECC raises a read fault. */
  ecc?: boolean;
}

/** Typical external SPI NOR (and ESP32): 4 KiB sectors, 4-byte writes, erased 0xFF, no ECC. */
export const NOR_FF_ALIGN4: FlashProfile = {
  name: 'nor-ff-align4',
  sectorSize: 4096,
  writeAlign: 4,
  erasedValue: 0xff,
};
/** Internal flash with ECC words: 8-byte writes, erased 0x00; torn or corrupt words raise read faults. */
export const NOR_00_ALIGN8: FlashProfile = {
  name: 'nor-00-align8',
  sectorSize: 4096,
  writeAlign: 8,
  erasedValue: 0x00,
  ecc: true,
};
export const FLASH_PROFILES: readonly FlashProfile[] = [NOR_FF_ALIGN4, NOR_00_ALIGN8];

export class FlashMisuse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashMisuse';
  }
}

/** A read that touched an ECC word it could not correct (what a real part reports as a bus fault or ECC error flag). */
export class FlashReadFault extends Error {
  constructor(readonly offset: number) {
    super(`uncorrectable ECC error in the word at ${offset}`);
    this.name = 'FlashReadFault';
  }
}

/** A worn sector's erase or program that the part reports as failed. */
export class FlashHardwareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashHardwareError';
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
  /** Set on a program that returned with wrong bits. */
  silent?: boolean;
}

export type WearMode = 'erase-throws' | 'erase-stuck' | 'program-throws';

interface PendingCut {
  at: number;
  torn: boolean;
}

/** ECC word states. */
const ECC_CLEAN = 0;
const ECC_CORRECTED = 1;
const ECC_UNREADABLE = 2;

export class FlashMedia {
  readonly bytes: Uint8Array;
  /** Erases per sector since the chip was made. */
  readonly eraseCount: Uint32Array;
  /** Programs per sector since the chip was made. */
  readonly programCount: Uint32Array;
  /** Per write unit on an ECC part: clean, one flipped bit (corrected on read) or unreadable. */
  readonly eccWords: Uint8Array;
  /** Per byte on a non-ECC part with `unstableTears`: bits that read at random. */
  readonly unstable: Uint8Array;
  /** Programs and erases attempted so far, the cut one included. */
  ops = 0;
  /** Single-bit errors an ECC read corrected. */
  corrected = 0;
  /** Read faults raised. */
  readFaults = 0;
  /** Non-ECC parts: torn bits read at random until erased (off by default). */
  unstableTears = false;
  /** Every sector erased this many times or more behaves as worn ('erase-stuck'). */
  enduranceLimit: number | undefined;
  /** Caller bugs seen (unaligned, programming non-erased bytes, out of range). */
  readonly misuse: string[] = [];
  /** Optional log of every operation, for sweeps that want to know what they cut. */
  log: FlashOpRecord[] | undefined;
  /** Called for each completed or torn operation (energy accounting, tracing). */
  onOperation: ((kind: FlashOpKind, length: number) => void) | undefined;
  private pendingCut: PendingCut | undefined;
  private readonly silentOps = new Map<number, number>();
  private readonly weakSectors = new Map<number, number>();
  private readonly decays: { at: number; sector: number }[] = [];
  private readonly worn = new Map<number, WearMode>();
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
    this.eccWords = new Uint8Array(profile.ecc ? size / profile.writeAlign : 0);
    this.unstable = new Uint8Array(profile.ecc ? 0 : size);
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

  /** The program at operation index `n` returns normally but leaves `bits` bits (default 2) of one word unmoved. */
  silentProgramAt(n: number, bits = 2): void {
    this.silentOps.set(n, bits);
  }

  /** The next erase of `sector` reads erased, then `afterOps` operations later some of its bits drift back. */
  weakErase(sector: number, afterOps: number): void {
    this.weakSectors.set(sector, afterOps);
  }

  /** Wears `sector` out: from now on it fails as `mode` says. */
  wearOut(sector: number, mode: WearMode): void {
    this.worn.set(sector, mode);
  }

  /**
   * Retention error at rest: flips the bits of `mask` in the byte at `offset`. On an ECC
   * part one flipped bit per word is corrected on read and two or more make it unreadable.
   */
  flipBits(offset: number, mask: number): void {
    if (!this.profile.ecc) {
      this.bytes[offset] ^= mask;
      return;
    }
    const w = Math.floor(offset / this.profile.writeAlign);
    const n = popcount(mask & 0xff);
    if (n === 0) return;
    if (n === 1 && this.eccWords[w] === ECC_CLEAN) this.eccWords[w] = ECC_CORRECTED;
    else {
      this.eccWords[w] = ECC_UNREADABLE;
      this.bytes[offset] ^= mask;
    }
  }

  /** True when a read of [offset, offset+length) would raise a read fault. */
  unreadable(offset: number, length: number): boolean {
    if (!this.profile.ecc || length === 0) return false;
    const a = this.profile.writeAlign;
    for (let w = Math.floor(offset / a); w <= Math.floor((offset + length - 1) / a); w++)
      if (this.eccWords[w] === ECC_UNREADABLE) return true;
    return false;
  }

  /** A new port over this chip for a freshly booted instance. */
  attach(rail: PowerRail): SimFlash {
    return new SimFlash(this, rail);
  }

  /** Takes over `other`'s stored bytes and ECC word states (a copy to read without touching the original). */
  copyFrom(other: FlashMedia): void {
    this.bytes.set(other.bytes);
    this.eccWords.set(other.eccWords);
  }

  /** Snapshot copy of a byte range, as stored (no ECC, no unstable bits: for tests; not a port call). */
  peek(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }

  // ---- called by SimFlash -------------------------------------------------------------

  bug(message: string): never {
    this.misuse.push(message);
    throw new FlashMisuse(message);
  }

  /** Decides the fate of the next operation: 'go', 'clean' (cut before) or 'torn'. */
  nextOp(kind: FlashOpKind, offset: number, length: number): 'go' | 'clean' | 'torn' | 'silent' {
    this.settleDecays();
    const index = this.ops++;
    let fate: 'go' | 'clean' | 'torn' | 'silent' = 'go';
    if (this.pendingCut && this.pendingCut.at === index) {
      fate = this.pendingCut.torn ? 'torn' : 'clean';
      this.pendingCut = undefined;
      this.cutFired = true;
    } else if (kind === 'program' && this.silentOps.has(index)) fate = 'silent';
    if (this.log) {
      const rec: FlashOpRecord = { index, kind, offset, length };
      if (fate === 'clean' || fate === 'torn') rec.cut = fate;
      if (fate === 'silent') rec.silent = true;
      this.log.push(rec);
    }
    return fate;
  }

  silentBits(index: number): number {
    return this.silentOps.get(index) ?? 0;
  }

  wearOf(sector: number): WearMode | undefined {
    const mode = this.worn.get(sector);
    if (mode) return mode;
    return this.enduranceLimit !== undefined && this.eraseCount[sector] >= this.enduranceLimit
      ? 'erase-stuck'
      : undefined;
  }

  /** Called by an erase that completed: a weak erase schedules its decay. */
  erased(sector: number): void {
    const after = this.weakSectors.get(sector);
    if (after === undefined) return;
    this.weakSectors.delete(sector);
    this.decays.push({ at: this.ops + after, sector });
  }

  /** Applies the decays that are due: a few bytes of the sector gain two programmed bits each. */
  settleDecays(): void {
    for (let i = this.decays.length - 1; i >= 0; i--) {
      const d = this.decays[i];
      if (this.ops < d.at) continue;
      this.decays.splice(i, 1);
      const s = this.profile.sectorSize;
      for (let k = 0; k < 4; k++) {
        const at = d.sector * s + (this.random() % s);
        const bits = twoBits(this.random());
        const before = this.bytes[at];
        this.bytes[at] = this.profile.erasedValue === 0xff ? before & ~bits & 0xff : before | bits;
        if (this.profile.ecc && this.bytes[at] !== before)
          this.eccWords[Math.floor(at / this.profile.writeAlign)] = ECC_UNREADABLE;
      }
    }
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
    const m = this.media;
    if (!Number.isInteger(offset) || offset < 0 || offset + into.length > this.size) {
      m.bug(`read out of range: ${offset}+${into.length}`);
    }
    m.settleDecays();
    if (m.profile.ecc && into.length > 0) {
      const a = this.writeAlign;
      for (let w = Math.floor(offset / a); w <= Math.floor((offset + into.length - 1) / a); w++) {
        if (m.eccWords[w] === ECC_UNREADABLE) {
          m.readFaults++;
          throw new FlashReadFault(w * a);
        }
        if (m.eccWords[w] === ECC_CORRECTED) m.corrected++;
      }
    }
    into.set(m.bytes.subarray(offset, offset + into.length));
    if (m.unstableTears) {
      for (let i = 0; i < into.length; i++) {
        const mask = m.unstable[offset + i];
        if (mask === 0) continue;
        const r = m.random() & mask;
        into[i] = this.erasedValue === 0xff ? into[i] & ~r : into[i] | r;
      }
    }
  }

  erase(sector: number): void {
    this.guardAlive();
    const m = this.media;
    if (!Number.isInteger(sector) || sector < 0 || sector >= m.sectorCount)
      m.bug(`erase of sector ${sector} out of range`);
    const start = sector * this.sectorSize;
    const fate = m.nextOp('erase', start, this.sectorSize);
    if (fate === 'clean') return this.cut('cut before erase');
    const wear = m.wearOf(sector);
    if (fate === 'torn' || wear === 'erase-throws') this.tearErase(start);
    else {
      m.bytes.fill(this.erasedValue, start, start + this.sectorSize);
      this.clearFaults(start, this.sectorSize);
      if (wear === 'erase-stuck') m.bytes[start + 0x100] = this.erasedValue ^ 0x10;
      else m.erased(sector);
    }
    m.eraseCount[sector]++;
    m.onOperation?.('erase', this.sectorSize);
    if (fate === 'torn') this.cut('cut during erase');
    if (wear === 'erase-throws') throw new FlashHardwareError(`erase of worn sector ${sector} failed`);
  }

  program(offset: number, data: Uint8Array): void {
    this.guardAlive();
    const m = this.media;
    const a = this.writeAlign;
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > this.size)
      m.bug(`program out of range: ${offset}+${data.length}`);
    if (offset % a !== 0 || data.length % a !== 0) m.bug(`unaligned program: ${offset}+${data.length} (align ${a})`);
    const b = m.bytes;
    for (let i = 0; i < data.length; i++) {
      if (b[offset + i] !== this.erasedValue) m.bug(`program onto non-erased byte at ${offset + i}`);
    }
    // An ECC word is written once per erase: a torn one, even if its bits look erased, may not be programmed again.
    if (m.unreadable(offset, data.length)) m.bug(`program onto an unreadable ECC word at ${offset}+${data.length}`);
    if (data.length === 0) return;
    const index = m.ops;
    const fate = m.nextOp('program', offset, data.length);
    if (fate === 'clean') return this.cut('cut before program');
    const worn = m.wearOf(Math.floor(offset / this.sectorSize)) === 'program-throws';
    const torn = fate === 'torn' || worn ? m.random() % data.length : data.length;
    if (m.profile.ecc) this.programEcc(offset, data, torn);
    else this.programPlain(offset, data, torn);
    if (fate === 'silent') this.leaveWrongBits(offset, data, m.silentBits(index));
    for (
      let s = Math.floor(offset / this.sectorSize);
      s <= Math.floor((offset + data.length - 1) / this.sectorSize);
      s++
    )
      m.programCount[s]++;
    m.onOperation?.('program', data.length);
    if (fate === 'torn') this.cut('cut during program');
    if (worn) throw new FlashHardwareError(`program in worn sector at ${offset} failed`);
  }

  /** Bytes before `torn` take the data; later ones are half-way (some of their bits unstable with `unstableTears`). */
  private programPlain(offset: number, data: Uint8Array, torn: number): void {
    const m = this.media;
    const b = m.bytes;
    const ff = this.erasedValue === 0xff;
    for (let i = 0; i < data.length; i++) {
      const at = offset + i;
      if (i < torn) {
        b[at] = data[i];
        if (m.unstable.length) m.unstable[at] &= ff ? data[i] : ~data[i] & 0xff;
        continue;
      }
      const r = m.random() & 0xff;
      const moving = ff ? b[at] & ~data[i] & 0xff : ~b[at] & data[i] & 0xff;
      const done = moving & ~r & 0xff;
      b[at] = ff ? b[at] & ~done & 0xff : b[at] | done;
      if (m.unstableTears) m.unstable[at] |= moving & r & m.random() & 0xff;
    }
  }

  /** Words before the one being written when the cut came are whole; that word is unreadable; later words untouched. */
  private programEcc(offset: number, data: Uint8Array, torn: number): void {
    const m = this.media;
    const a = this.writeAlign;
    const b = m.bytes;
    const tornWord = torn < data.length ? Math.floor(torn / a) * a : data.length;
    b.set(data.subarray(0, tornWord), offset);
    this.clearFaults(offset, tornWord);
    if (tornWord < data.length) {
      for (let i = tornWord; i < tornWord + a; i++) {
        const r = m.random() & 0xff;
        b[offset + i] = this.erasedValue === 0xff ? b[offset + i] & (data[i] | r) : b[offset + i] | (data[i] & r);
      }
      m.eccWords[(offset + tornWord) / a] = ECC_UNREADABLE;
    }
  }

  private tearErase(start: number): void {
    const m = this.media;
    for (let i = start; i < start + this.sectorSize; i++) {
      const r = m.random() & 0xff;
      const before = m.bytes[i];
      m.bytes[i] = this.erasedValue === 0xff ? before | r : before & r;
      if (m.unstableTears) m.unstable[i] |= (this.erasedValue === 0xff ? ~m.bytes[i] : m.bytes[i]) & m.random() & 0xff;
      if (m.unstable.length) {
        // Unstable bits are kept as erased in the stored byte (the program check sees them erased).
        m.bytes[i] = this.erasedValue === 0xff ? m.bytes[i] | m.unstable[i] : m.bytes[i] & ~m.unstable[i];
      }
    }
    if (m.profile.ecc)
      m.eccWords.fill(ECC_UNREADABLE, start / this.writeAlign, (start + this.sectorSize) / this.writeAlign);
  }

  /** A completed program that left `bits` bits of one word unmoved (the part said it succeeded). */
  private leaveWrongBits(offset: number, data: Uint8Array, bits: number): void {
    const m = this.media;
    const a = this.writeAlign;
    const ff = this.erasedValue === 0xff;
    // A word with bits to move, so the fault is never a no-op.
    let i = m.random() % data.length;
    for (let k = 0; k < data.length && data[i] === this.erasedValue; k++) i = (i + 1) % data.length;
    if (data[i] === this.erasedValue) return;
    const word = Math.floor(i / a) * a;
    let left = bits;
    for (let j = word; j < word + a && left > 0; j++) {
      const moved = ff ? ~data[j] & 0xff : data[j];
      let wrong = 0;
      for (let bit = 0; bit < 8 && left > 0; bit++) {
        if (moved & (1 << bit)) {
          wrong |= 1 << bit;
          left--;
        }
      }
      if (wrong) m.bytes[offset + j] = ff ? m.bytes[offset + j] | wrong : m.bytes[offset + j] & ~wrong & 0xff;
    }
    if (m.profile.ecc) {
      const w = (offset + word) / a;
      const corrected = bits - left === 1 && m.eccWords[w] === ECC_CLEAN;
      // One wrong bit is corrected on read (the stored word is as intended); more make the word unreadable.
      if (corrected) {
        m.eccWords[w] = ECC_CORRECTED;
        m.bytes.set(data.subarray(word, word + a), offset + word);
      } else m.eccWords[w] = ECC_UNREADABLE;
    }
  }

  private clearFaults(start: number, length: number): void {
    const m = this.media;
    if (m.profile.ecc) m.eccWords.fill(ECC_CLEAN, start / this.writeAlign, (start + length) / this.writeAlign);
    else if (m.unstable.length) m.unstable.fill(0, start, start + length);
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

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** Two distinct bits of a byte, from a random word. */
function twoBits(r: number): number {
  const a = r & 7;
  const b = (a + 1 + ((r >>> 3) % 7)) & 7;
  return (1 << a) | (1 << b);
}
