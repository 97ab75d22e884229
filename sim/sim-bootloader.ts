/**
 * The bootloader's side of the boot-control contract (docs/BOOT.md), as a vendor would
 * write it from that document: it parses the record and metadata header bytes itself (it
 * shares no code with device/storage's codecs, so a disagreement between the two shows up
 * in tests) and runs the decision table below at every boot. Its writes go through the
 * instance's SimFlash, so they are counted and cut like the agent's. No Node API: it runs
 * inside XS too.
 *
 * A copy that cannot be read (the Flash port throws: an ECC read fault) is invalid; a bank
 * that cannot be read does not verify. Only a power cut ends a boot early.
 *
 * Decision table (first matching row wins):
 *
 *   | # | standing record | condition                                          | action                                        |
 *   |---|-----------------|----------------------------------------------------|-----------------------------------------------|
 *   | 1 | none valid      | a bank's metadata record names an image that verifies | write a fresh record for the newest one (event rebuilt), boot it |
 *   | 2 | none valid      | otherwise                                          | halt                                          |
 *   | 3 | trial           | trial boots left = 0                               | write revert (refuse trial), then rows 6–8    |
 *   | 4 | trial           | version < floor or digest differs                  | write revert (no refusal), then rows 6–8      |
 *   | 5 | trial           | otherwise                                          | write boots left − 1, arm watchdog, boot trial |
 *   | 6 | confirmed       | confirmed bank's digest matches                    | boot confirmed                                |
 *   | 7 | confirmed       | fallback present, not below the floor, its digest matches | write confirmed := fallback (event fell back), boot it |
 *   | 8 | confirmed       | otherwise                                          | halt                                          |
 *
 * A write that fails (not a cut) in row 5 boots the confirmed image instead; in rows 3–4
 * the confirmed image is booted anyway and the revert is retried at the next boot; in rows
 * 1 and 7 the image is booted anyway and the same row runs again at the next boot.
 */
import type { Flash, Sha256 } from '../device/ports.js';
import type { StorageLayout } from '../device/storage/index.js';
import { PowerLost } from './power-rail.js';

export type BootOutcome =
  | { kind: 'boot'; bank: 0 | 1; trial: boolean; row: number; watchdogSeconds?: number }
  | { kind: 'halt'; row: number; reason: string };

const SIZE = 160;
const MAGIC = [0x41, 0x48, 0x42, 0x52];
const META_MAGIC = [0x41, 0x48, 0x4d, 0x44];
const META_COMMIT = [0xc3, 0x5a, 0x3c, 0xa5];
const EVENT_FELL_BACK = 1;
const EVENT_REBUILT = 2;
const WRITE_ATTEMPTS = 3;

interface Slot {
  bank: number;
  version: number;
  length: number;
  digest: Uint8Array;
}

interface Rec {
  seq: number;
  state: number;
  left: number;
  event: number;
  floor: number;
  window: number;
  confirmed: Slot;
  /** Trial state: the trial; confirmed state: the fallback (bank 0xFF: none). */
  other: Slot;
  refusedVersion: number;
  refusedDigest: Uint8Array;
}

const NONE: Slot = { bank: 0xff, version: 0, length: 0, digest: new Uint8Array(32) };

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function put32(b: Uint8Array, o: number, v: number): void {
  for (let i = 0; i < 4; i++) b[o + i] = (v >>> (8 * i)) & 0xff;
}

/** CRC-32 (IEEE, reflected), bitwise: a bootloader has little room for tables. */
function crc(b: Uint8Array, end: number): number {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function slot(b: Uint8Array, o: number): Slot {
  return { bank: b[o], version: u32(b, o + 4), length: u32(b, o + 8), digest: b.slice(o + 12, o + 44) };
}

function parse(b: Uint8Array): Rec | undefined {
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) return undefined;
  if (b[8] !== 1 || crc(b, 144) !== u32(b, 144)) return undefined;
  const r: Rec = {
    seq: u32(b, 4),
    state: b[9],
    left: b[10],
    event: b[11],
    floor: u32(b, 12),
    window: u32(b, 16),
    confirmed: slot(b, 20),
    other: slot(b, 64),
    refusedVersion: u32(b, 108),
    refusedDigest: b.slice(112, 144),
  };
  if (r.state !== 1 && r.state !== 2) return undefined;
  if (r.confirmed.bank > 1) return undefined;
  if (r.state === 2 && (r.other.bank > 1 || r.other.bank === r.confirmed.bank)) return undefined;
  if (r.state === 1 && (r.other.bank > 1 || r.other.bank === r.confirmed.bank)) r.other = NONE;
  return r;
}

function serialize(r: Rec): Uint8Array {
  const b = new Uint8Array(SIZE);
  b.set(MAGIC, 0);
  put32(b, 4, r.seq);
  b[8] = 1;
  b[9] = r.state;
  b[10] = r.left;
  b[11] = r.event;
  put32(b, 12, r.floor);
  put32(b, 16, r.window);
  const putSlot = (o: number, s: Slot) => {
    b[o] = s.bank;
    put32(b, o + 4, s.version);
    put32(b, o + 8, s.length);
    b.set(s.digest, o + 12);
  };
  putSlot(20, r.confirmed);
  if (r.other.bank <= 1) putSlot(64, r.other);
  else b[64] = 0xff;
  put32(b, 108, r.refusedVersion);
  b.set(r.refusedDigest, 112);
  put32(b, 144, crc(b, 144));
  return b;
}

export class SimBootloader {
  /** What each boot decided, in order (for tests and traces). */
  readonly decisions: BootOutcome[] = [];

  constructor(
    private readonly flash: Flash,
    private readonly layout: StorageLayout,
    private readonly sha256: Sha256,
  ) {}

  /** One power-on: reads the record, decides, writes what the table says, returns the bank to start. */
  boot(): BootOutcome {
    const out = this.decide();
    this.decisions.push(out);
    return out;
  }

  private decide(): BootOutcome {
    const { rec, copy } = this.current();
    if (!rec) return this.rebuild();
    if (rec.state === 2) {
      const trial = rec.other;
      const expired = rec.left === 0;
      if (expired || trial.version < rec.floor || !this.digestMatches(trial)) {
        const next: Rec = { ...rec, seq: (rec.seq + 1) >>> 0, state: 1, left: 0, window: 0, event: 0, other: NONE };
        if (expired) {
          next.refusedVersion = trial.version;
          next.refusedDigest = trial.digest;
        }
        const written = this.tryWrite(next, copy);
        return this.bootConfirmed(written ? next : rec, written ? 1 - copy : copy, expired ? 3 : 4);
      }
      const next: Rec = { ...rec, seq: (rec.seq + 1) >>> 0, left: rec.left - 1 };
      if (!this.tryWrite(next, copy)) return this.bootConfirmed(rec, copy, 5);
      return { kind: 'boot', bank: trial.bank as 0 | 1, trial: true, row: 5, watchdogSeconds: rec.window };
    }
    return this.bootConfirmed(rec, copy, 6);
  }

  /** Rows 6–8: the confirmed image, else the fallback, else halt. `row` is the row that led here. */
  private bootConfirmed(rec: Rec, copy: number, row: number): BootOutcome {
    if (this.digestMatches(rec.confirmed))
      return { kind: 'boot', bank: rec.confirmed.bank as 0 | 1, trial: false, row };
    const f = rec.state === 1 ? rec.other : NONE;
    if (f.bank <= 1 && f.version >= rec.floor && this.digestMatches(f)) {
      const next: Rec = {
        ...rec,
        seq: (rec.seq + 1) >>> 0,
        state: 1,
        left: 0,
        window: 0,
        event: EVENT_FELL_BACK,
        confirmed: f,
        other: NONE,
      };
      this.tryWrite(next, copy);
      return { kind: 'boot', bank: f.bank as 0 | 1, trial: false, row: 7 };
    }
    return { kind: 'halt', row: 8, reason: 'confirmed image digest differs and no fallback verifies' };
  }

  /** Rows 1–2: no valid copy. The newest bank whose metadata record names an image that verifies. */
  private rebuild(): BootOutcome {
    let best: Slot | undefined;
    for (const bank of [0, 1]) {
      const s = this.metadataSlot(bank);
      if (s && (!best || s.version > best.version) && this.digestMatches(s)) best = s;
    }
    if (!best) return { kind: 'halt', row: 2, reason: 'no valid boot-control record and no bank verifies' };
    const next: Rec = {
      seq: 1,
      state: 1,
      left: 0,
      event: EVENT_REBUILT,
      floor: best.version,
      window: 0,
      confirmed: best,
      other: NONE,
      refusedVersion: 0,
      refusedDigest: new Uint8Array(32),
    };
    // Copy B is erased first so no stale copy with a higher sequence can stand over the new one if it reads again.
    if (this.tryErase(this.layout.bootSectors[1])) this.tryWrite(next, 1);
    return { kind: 'boot', bank: best.bank as 0 | 1, trial: false, row: 1 };
  }

  /** The image a bank's committed metadata header names (docs/BOOT.md section 5), or undefined. */
  private metadataSlot(bank: number): Slot | undefined {
    const b = this.layout.banks[bank];
    const a = this.layout.writeAlign;
    const headerSize = Math.ceil(56 / a) * a;
    const head = new Uint8Array(headerSize + Math.ceil(4 / a) * a);
    if (!this.read(b.metaOffset, head)) return undefined;
    for (let i = 0; i < 4; i++) if (head[i] !== META_MAGIC[i]) return undefined;
    if (crc(head, 52) !== u32(head, 52)) return undefined;
    for (let i = headerSize; i < head.length; i++) if (head[i] !== META_COMMIT[(i - headerSize) & 3]) return undefined;
    return { bank, version: u32(head, 12), length: u32(head, 16), digest: head.slice(20, 52) };
  }

  private current(): { rec?: Rec; copy: number } {
    const recs: (Rec | undefined)[] = [];
    for (const i of [0, 1]) {
      const b = new Uint8Array(SIZE);
      recs.push(this.read(this.layout.bootSectors[i] * this.layout.sectorSize, b) ? parse(b) : undefined);
    }
    const [a, b] = recs;
    if (a && b) {
      const d = (b.seq - a.seq) >>> 0;
      return d !== 0 && d < 0x80000000 ? { rec: b, copy: 1 } : { rec: a, copy: 0 };
    }
    return a ? { rec: a, copy: 0 } : b ? { rec: b, copy: 1 } : { copy: 0 };
  }

  /** Writes into the copy that does not hold the standing record: erase, program, read back (up to three times). */
  private tryWrite(r: Rec, standing: number): boolean {
    const target = standing === 0 ? 1 : 0;
    const bytes = serialize(r);
    const a = this.layout.writeAlign;
    const padded = new Uint8Array(Math.ceil(bytes.length / a) * a);
    padded.set(bytes);
    const back = new Uint8Array(padded.length);
    const at = this.layout.bootSectors[target] * this.layout.sectorSize;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      try {
        this.flash.erase(this.layout.bootSectors[target]);
        this.flash.program(at, padded);
      } catch (e) {
        if (e instanceof PowerLost) throw e;
        continue;
      }
      if (!this.read(at, back)) continue;
      let same = true;
      for (let i = 0; i < padded.length; i++) if (back[i] !== padded[i]) same = false;
      if (same) return true;
    }
    return false;
  }

  private tryErase(sector: number): boolean {
    try {
      this.flash.erase(sector);
      return true;
    } catch (e) {
      if (e instanceof PowerLost) throw e;
      return false;
    }
  }

  /** A read that the port refuses (a read fault) answers false; a power cut still ends the boot. */
  private read(offset: number, into: Uint8Array): boolean {
    try {
      this.flash.read(offset, into);
      return true;
    } catch (e) {
      if (e instanceof PowerLost) throw e;
      return false;
    }
  }

  /** SHA-256 of the bank's first `length` bytes, read from flash, against the slot's digest. */
  private digestMatches(s: Slot): boolean {
    if (s.bank > 1) return false;
    const bank = this.layout.banks[s.bank];
    if (s.length === 0 || s.length > bank.size) return false;
    const hash = this.sha256.create();
    const piece = new Uint8Array(1024);
    for (let o = 0; o < s.length; o += piece.length) {
      const n = Math.min(piece.length, s.length - o);
      const view = piece.subarray(0, n);
      if (!this.read(bank.offset + o, view)) return false;
      hash.update(view);
    }
    const d = hash.digest();
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= d[i] ^ s.digest[i];
    return diff === 0;
  }
}
