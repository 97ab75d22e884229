/**
 * The bootloader's side of the boot-control contract (docs/BOOT.md), as a vendor would
 * write it from that document: it parses the record bytes itself (it shares no code with
 * device/storage's codec, so a disagreement between the two shows up in tests) and runs
 * the decision table below at every boot. Its writes go through the instance's SimFlash,
 * so they are counted and cut like the agent's. No Node API: it runs inside XS too.
 *
 * Decision table (first matching row wins):
 *
 *   | # | standing record          | condition                          | action                                   |
 *   |---|--------------------------|------------------------------------|------------------------------------------|
 *   | 1 | none valid               |                                    | halt                                     |
 *   | 2 | confirmed                | confirmed bank digest matches      | boot confirmed                           |
 *   | 3 | confirmed                | digest differs                     | halt                                     |
 *   | 4 | trial                    | trial boots left = 0               | write revert (refuse trial), then row 2  |
 *   | 5 | trial                    | version < floor or digest differs  | write revert (no refusal), then row 2    |
 *   | 6 | trial                    | otherwise                          | write boots left − 1, arm watchdog, boot trial |
 *
 * A write that fails (not a cut) in row 6 boots the confirmed image instead; in rows 4–5
 * the confirmed image is booted anyway and the revert is retried at the next boot.
 */
import type { Flash, Sha256 } from '../../device/ports.js';
import type { StorageLayout } from '../../device/storage/layout.js';
import { PowerLost } from './power-rail.js';

export type BootOutcome =
  | { kind: 'boot'; bank: 0 | 1; trial: boolean; row: number; watchdogSeconds?: number }
  | { kind: 'halt'; row: number; reason: string };

const SIZE = 160;
const MAGIC = [0x41, 0x48, 0x42, 0x52];

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
  floor: number;
  window: number;
  confirmed: Slot;
  trial: Slot;
  refusedVersion: number;
  refusedDigest: Uint8Array;
}

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
    floor: u32(b, 12),
    window: u32(b, 16),
    confirmed: slot(b, 20),
    trial: slot(b, 64),
    refusedVersion: u32(b, 108),
    refusedDigest: b.slice(112, 144),
  };
  if (r.state !== 1 && r.state !== 2) return undefined;
  if (r.confirmed.bank > 1) return undefined;
  if (r.state === 2 && (r.trial.bank > 1 || r.trial.bank === r.confirmed.bank)) return undefined;
  return r;
}

function serialize(r: Rec): Uint8Array {
  const b = new Uint8Array(SIZE);
  b.set(MAGIC, 0);
  put32(b, 4, r.seq);
  b[8] = 1;
  b[9] = r.state;
  b[10] = r.left;
  put32(b, 12, r.floor);
  put32(b, 16, r.window);
  const putSlot = (o: number, s: Slot) => {
    b[o] = s.bank;
    put32(b, o + 4, s.version);
    put32(b, o + 8, s.length);
    b.set(s.digest, o + 12);
  };
  putSlot(20, r.confirmed);
  if (r.state === 2) putSlot(64, r.trial);
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
    if (!rec) return { kind: 'halt', row: 1, reason: 'no valid boot-control record' };
    if (rec.state === 2) {
      const expired = rec.left === 0;
      if (expired || rec.trial.version < rec.floor || !this.digestMatches(rec.trial)) {
        const next: Rec = { ...rec, seq: (rec.seq + 1) >>> 0, state: 1, left: 0, window: 0 };
        if (expired) {
          next.refusedVersion = rec.trial.version;
          next.refusedDigest = rec.trial.digest;
        }
        this.tryWrite(next, copy);
        return this.bootConfirmed(rec, expired ? 4 : 5);
      }
      const next: Rec = { ...rec, seq: (rec.seq + 1) >>> 0, left: rec.left - 1 };
      if (!this.tryWrite(next, copy)) return this.bootConfirmed(rec, 6);
      return { kind: 'boot', bank: rec.trial.bank as 0 | 1, trial: true, row: 6, watchdogSeconds: rec.window };
    }
    return this.bootConfirmed(rec, 2);
  }

  private bootConfirmed(rec: Rec, row: number): BootOutcome {
    if (!this.digestMatches(rec.confirmed)) return { kind: 'halt', row: row === 2 ? 3 : row, reason: 'confirmed image digest differs' };
    return { kind: 'boot', bank: rec.confirmed.bank as 0 | 1, trial: false, row };
  }

  private current(): { rec?: Rec; copy: number } {
    const recs: (Rec | undefined)[] = [];
    for (const i of [0, 1]) {
      const b = new Uint8Array(SIZE);
      this.flash.read(this.layout.bootSectors[i] * this.layout.sectorSize, b);
      recs.push(parse(b));
    }
    const [a, b] = recs;
    if (a && b) {
      const d = (b.seq - a.seq) >>> 0;
      return d !== 0 && d < 0x80000000 ? { rec: b, copy: 1 } : { rec: a, copy: 0 };
    }
    return a ? { rec: a, copy: 0 } : b ? { rec: b, copy: 1 } : { copy: 0 };
  }

  /** Writes into the copy that does not hold the standing record: erase, then one program. */
  private tryWrite(r: Rec, standing: number): boolean {
    const target = standing === 0 ? 1 : 0;
    const bytes = serialize(r);
    const a = this.layout.writeAlign;
    const padded = new Uint8Array(Math.ceil(bytes.length / a) * a);
    padded.set(bytes);
    try {
      this.flash.erase(this.layout.bootSectors[target]);
      this.flash.program(this.layout.bootSectors[target] * this.layout.sectorSize, padded);
      return true;
    } catch (e) {
      if (e instanceof PowerLost) throw e;
      return false;
    }
  }

  /** SHA-256 of the bank's first `length` bytes, read from flash, against the slot's digest. */
  private digestMatches(s: Slot): boolean {
    const bank = this.layout.banks[s.bank === 1 ? 1 : 0];
    if (s.length === 0 || s.length > bank.size) return false;
    const ctx = this.sha256.create();
    const piece = new Uint8Array(1024);
    for (let o = 0; o < s.length; o += piece.length) {
      const n = Math.min(piece.length, s.length - o);
      const view = piece.subarray(0, n);
      this.flash.read(bank.offset + o, view);
      ctx.update(view);
    }
    const d = ctx.digest();
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= d[i] ^ s.digest[i];
    return diff === 0;
  }
}
