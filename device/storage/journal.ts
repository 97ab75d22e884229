/**
 * The journal: small typed records that must survive power cuts (download progress, trust
 * anchors, counters), kept in two flash sectors used in turn.
 *
 * Sector: header (magic, epoch, CRC-32) at offset 0, then records from `headerSize` on.
 * Record, every record starting on an R-byte boundary (R = max(8, writeAlign)):
 *
 *   0  u8  type (1..127)      1  u8  ~type      2  u16 body length
 *   4  u32 sequence number (one counter for the whole journal, never reused)
 *   8  body                   then u32 CRC-32 of bytes [0, 8 + length)
 *   padded to writeAlign; then the commit word (C3 5A 3C A5, repeated to writeAlign)
 *   programmed by a second, later program; padded to R.
 *
 * Rules:
 * - A record counts only with its CRC and its commit word; the latest valid record of
 *   each type (highest sequence number over both sectors) stands. A torn or corrupt
 *   record is skipped, so the previous one of its type stands.
 * - No byte is ever programmed twice: appends go after everything that does not read
 *   erased, and after the whole extent a plausible torn header claims, so a torn record
 *   can never be completed by later bytes.
 * - Each program is read back before the next: the commit word is programmed only after
 *   the data reads back whole, so a program that reports success with wrong bits never
 *   commits a record: that slot is spent and the append writes the record once more in
 *   the next one (two slots at most; a second lie fails with STORAGE_VERIFY_MISMATCH,
 *   or STORAGE_FLASH_READ when the read-back could not read the word).
 * - Appending costs two programs and no erase. When a sector is full, rotation erases
 *   the other one, copies each type's latest record into it, writes its header (epoch + 1)
 *   last, and only then erases the old sector. A sector without a valid header is ignored,
 *   so a cut anywhere in a rotation loses nothing committed: until the new header exists
 *   the old sector is whole, and afterwards the new one holds every latest record (both
 *   are read and merged).
 * - Damage is survived, never formatted over: records are found by their own CRC and
 *   commit word, so both sectors are scanned whatever their headers say. A sector whose
 *   header is damaged (or unreadable) still gives up its records; when neither header is
 *   valid the sector holding the newest record takes the appends, and the next rotation
 *   writes a fresh header. A damaged record is skipped, so the one before it of its type
 *   stands. Only a journal with no header and no record at all is formatted. A read fault
 *   counts as damage: an unreadable slot is neither erased nor a record.
 * - Sequence numbers are 32-bit and not expected to wrap (one record a second for 136
 *   years).
 * RAM: an index entry per record type, and one record's bytes while it is read or written.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { Flash } from '../ports.js';
import { equalBytes, readU16, readU32, writeU16, writeU32, crc32 } from '../util/index.js';
import { allErased, alignUp, eraseSector, programVerified, readFlash, regionErased, tryRead } from './flash-io.js';
import type { StorageLayout } from './layout.js';
import { StorageError } from './storage-errors.js';

/**
 * Largest record body the journal takes. A trust-anchor set is the largest user: the test
 * PKI's four SMKI cells encode to about 1.7 KB. Rotation needs every type's latest record
 * in one sector, so this stays well under half of a 4 KiB sector.
 */
export const JOURNAL_MAX_BODY = 2048;
export const JOURNAL_MAX_TYPE = 127;

/** Slots one append may spend when a program reports success but reads back wrong. */
const APPEND_ATTEMPTS = 2;
const SECTOR_MAGIC = 0x314a4841; // "AHJ1"
const COMMIT = [0xc3, 0x5a, 0x3c, 0xa5];
const HEAD = 8;

interface IndexEntry {
  sector: number;
  offset: number;
  length: number;
  seq: number;
}

export interface JournalStats {
  /** Sector index (in flash) currently appended to. */
  activeSector: number;
  epoch: number;
  /** Bytes left in the active sector. */
  freeBytes: number;
  nextSeq: number;
  /** Records appended and rotations done by this instance. */
  appended: number;
  rotations: number;
}

export class Journal {
  /** Bytes in one journal sector. */
  private readonly sectorSize: number;
  private readonly align: number;
  private readonly slot: number;
  private readonly headerSize: number;
  private readonly commitSize: number;
  private readonly index = new Map<number, IndexEntry>();
  private active = 0;
  private epoch = 0;
  private free = 0;
  private nextSeq = 1;
  private appended = 0;
  private rotations = 0;

  private constructor(
    private readonly flash: Flash,
    private readonly layout: StorageLayout,
  ) {
    this.sectorSize = layout.sectorSize;
    this.align = layout.writeAlign;
    this.slot = Math.max(8, this.align);
    this.headerSize = alignUp(12, this.slot);
    this.commitSize = alignUp(4, this.align);
  }

  /** Reads both sectors and indexes the latest record of each type; formats a blank journal only. */
  static open(flash: Flash, layout: StorageLayout): Journal {
    const j = new Journal(flash, layout);
    try {
      j.load();
    } catch (e) {
      throw asOtaError(e, StorageError.flashRead);
    }
    return j;
  }

  /** The body of the latest valid record of `type`, or undefined. */
  latest(type: number): Uint8Array | undefined {
    const e = this.index.get(type);
    if (!e) return undefined;
    const rec = new Uint8Array(HEAD + e.length + 4);
    readFlash(this.flash, this.sectorOffset(e.sector) + e.offset, rec);
    if (crc32(rec, 0, HEAD + e.length) !== readU32(rec, HEAD + e.length)) {
      throw new OtaError(StorageError.verifyMismatch, `journal record of type ${type} changed since it was read`);
    }
    return rec.slice(HEAD, HEAD + e.length);
  }

  /** Types that have a valid record, ascending. */
  types(): number[] {
    return [...this.index.keys()].sort((a, b) => a - b);
  }

  /** Sequence number of the latest record of `type` (0 when none). */
  seqOf(type: number): number {
    return this.index.get(type)?.seq ?? 0;
  }

  /** Appends a record; it stands from the moment its commit word is programmed. */
  append(type: number, body: Uint8Array): void {
    if (!Number.isInteger(type) || type < 1 || type > JOURNAL_MAX_TYPE)
      throw new OtaError(StorageError.journalRecord, `record type ${type}`);
    if (body.length > JOURNAL_MAX_BODY)
      throw new OtaError(StorageError.journalRecord, `record body of ${body.length} bytes`);
    const ext = this.extent(body.length);
    for (let attempt = 1; ; attempt++) {
      if (this.free + ext > this.sectorSize) {
        this.rotate();
        if (this.free + ext > this.sectorSize)
          throw new OtaError(StorageError.journalFull, 'record does not fit a freshly rotated sector');
      }
      const seq = this.nextSeq++;
      const at = this.free;
      // The slot is consumed whatever happens next: its bytes may be programmed now.
      this.free += ext;
      try {
        this.writeRecord(this.active, at, type, seq, body);
      } catch (e) {
        // A read-back that differs or cannot be read is a program that lied: that slot never
        // commits, so the record is written once more in the next one. Anything else, or a
        // second lie, is the caller's to handle.
        if (attempt >= APPEND_ATTEMPTS || !readBackFailed(e)) throw e;
        continue;
      }
      this.index.set(type, { sector: this.active, offset: at, length: body.length, seq });
      this.appended++;
      return;
    }
  }

  stats(): JournalStats {
    return {
      activeSector: this.layout.journalSectors[this.active],
      epoch: this.epoch,
      freeBytes: this.sectorSize - this.free,
      nextSeq: this.nextSeq,
      appended: this.appended,
      rotations: this.rotations,
    };
  }

  // ------------------------------------------------------------------ layout of bytes

  private extent(bodyLength: number): number {
    return alignUp(this.dataSize(bodyLength) + this.commitSize, this.slot);
  }

  private dataSize(bodyLength: number): number {
    return alignUp(HEAD + bodyLength + 4, this.align);
  }

  private sectorOffset(which: number): number {
    return this.layout.journalSectors[which] * this.sectorSize;
  }

  private writeRecord(which: number, at: number, type: number, seq: number, body: Uint8Array): void {
    const data = new Uint8Array(this.dataSize(body.length));
    data[0] = type;
    data[1] = ~type & 0xff;
    writeU16(data, 2, body.length);
    writeU32(data, 4, seq);
    data.set(body, HEAD);
    writeU32(data, HEAD + body.length, crc32(data, 0, HEAD + body.length));
    data.fill(this.layout.erasedValue, HEAD + body.length + 4);
    const base = this.sectorOffset(which) + at;
    programVerified(this.flash, base, data);
    programVerified(this.flash, base + data.length, this.commitWord());
  }

  private commitWord(): Uint8Array {
    const w = new Uint8Array(this.commitSize);
    for (let i = 0; i < w.length; i++) w[i] = COMMIT[i & 3];
    return w;
  }

  // ------------------------------------------------------------------ reading

  private load(): void {
    const heads = [this.readHeader(0), this.readHeader(1)];
    const [a, b] = heads;
    if (a.valid || b.valid) {
      if (a.valid && b.valid) this.active = serialAfter(b.epoch, a.epoch) ? 1 : 0;
      else this.active = a.valid ? 0 : 1;
      this.epoch = heads[this.active].epoch;
      // The active sector first, so on equal sequence numbers (copies left by a rotation
      // whose old sector was not erased yet) the index points into the sector that stays.
      this.free = this.scanSector(this.active);
      this.scanSector(1 - this.active);
      return;
    }
    // Neither header is valid: blank, or damaged. Records are still found by their CRC.
    const free = [this.scanSector(0), this.scanSector(1)];
    if (this.index.size === 0) {
      this.format();
      return;
    }
    let newest: IndexEntry | undefined;
    for (const e of this.index.values()) if (!newest || e.seq > newest.seq) newest = e;
    this.active = newest!.sector;
    this.epoch = 0;
    this.free = free[this.active];
  }

  private readHeader(which: number): { valid: boolean; epoch: number } {
    const head = new Uint8Array(12);
    if (!tryRead(this.flash, this.sectorOffset(which), head)) return { valid: false, epoch: 0 };
    if (readU32(head, 0) !== SECTOR_MAGIC || crc32(head, 0, 8) !== readU32(head, 8)) return { valid: false, epoch: 0 };
    return { valid: true, epoch: readU32(head, 4) };
  }

  /** Indexes the records of a sector with a valid header; returns where appends may go. */
  private scanSector(which: number): number {
    const base = this.sectorOffset(which);
    let pos = this.headerSize;
    let free = pos;
    const slotBytes = new Uint8Array(this.slot);
    while (pos + this.slot <= this.sectorSize) {
      if (!tryRead(this.flash, base + pos, slotBytes)) {
        // Unreadable: not erased (nothing may be programmed here) and not a record.
        pos += this.slot;
        free = pos;
        continue;
      }
      if (allErased(slotBytes, this.layout.erasedValue)) {
        pos += this.slot;
        continue;
      }
      const type = slotBytes[0];
      const length = readU16(slotBytes, 2);
      const plausible =
        type >= 1 && type <= JOURNAL_MAX_TYPE && slotBytes[1] === (~type & 0xff) && length <= JOURNAL_MAX_BODY;
      const ext = plausible ? this.extent(length) : this.slot;
      if (!plausible || pos + ext > this.sectorSize) {
        pos += this.slot;
        free = pos;
        continue;
      }
      this.consider(which, pos, type, length);
      pos += ext;
      free = pos;
    }
    return free;
  }

  /** Indexes the record at `pos` if it is whole (CRC and commit word) and newer than what stands. */
  private consider(which: number, pos: number, type: number, length: number): void {
    const size = this.dataSize(length);
    const rec = new Uint8Array(size + this.commitSize);
    if (!tryRead(this.flash, this.sectorOffset(which) + pos, rec)) return;
    if (crc32(rec, 0, HEAD + length) !== readU32(rec, HEAD + length)) return;
    if (!equalBytes(rec.subarray(size), this.commitWord())) return;
    const seq = readU32(rec, 4);
    const have = this.index.get(type);
    if (!have || seq > have.seq) this.index.set(type, { sector: which, offset: pos, length, seq });
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
  }

  // ------------------------------------------------------------------ writing sectors

  /** A blank (or wholly unreadable) journal: sector 0 gets the first header. */
  private format(): void {
    this.eraseIfNeeded(0);
    this.programHeader(0, 1);
    this.active = 0;
    this.epoch = 1;
    this.free = this.headerSize;
  }

  private rotate(): void {
    const from = this.active;
    const to = 1 - from;
    // Records that only the target still holds (never expected: the active sector has
    // copies of all of them) are kept in RAM across its erase rather than lost.
    const held = new Map<number, Uint8Array>();
    for (const [type, e] of this.index) if (e.sector === to) this.holdReadable(type, held);
    eraseSector(this.flash, this.layout.journalSectors[to]);
    let pos = this.headerSize;
    const moved = new Map<number, IndexEntry>();
    for (const type of this.types()) {
      const e = this.index.get(type)!;
      const body = held.get(type) ?? this.readable(type);
      // A record that went bad at rest since it was indexed cannot be copied: it is lost, not the journal.
      if (!body) {
        this.index.delete(type);
        continue;
      }
      this.writeRecord(to, pos, type, e.seq, body);
      moved.set(type, { sector: to, offset: pos, length: e.length, seq: e.seq });
      pos += this.extent(e.length);
    }
    const epoch = (this.epoch + 1) >>> 0;
    this.programHeader(to, epoch);
    // From here the new sector stands on its own; the index follows it before the old erase.
    for (const [type, e] of moved) this.index.set(type, e);
    this.active = to;
    this.epoch = epoch;
    this.free = pos;
    this.rotations++;
    eraseSector(this.flash, this.layout.journalSectors[from]);
  }

  private programHeader(which: number, epoch: number): void {
    const h = new Uint8Array(this.headerSize).fill(this.layout.erasedValue);
    writeU32(h, 0, SECTOR_MAGIC);
    writeU32(h, 4, epoch);
    writeU32(h, 8, crc32(h, 0, 8));
    programVerified(this.flash, this.sectorOffset(which), h);
  }

  /** The latest body of `type`, or undefined when it no longer reads back whole. */
  private readable(type: number): Uint8Array | undefined {
    try {
      return this.latest(type);
    } catch {
      return undefined;
    }
  }

  private holdReadable(type: number, held: Map<number, Uint8Array>): void {
    const body = this.readable(type);
    if (body) held.set(type, body);
  }

  private eraseIfNeeded(which: number): void {
    if (!regionErased(this.flash, this.sectorOffset(which), this.sectorSize, new Uint8Array(256))) {
      eraseSector(this.flash, this.layout.journalSectors[which]);
    }
  }
}

/** The read-back after a program found other bytes (or, on ECC flash, a word it could not read). */
function readBackFailed(e: unknown): boolean {
  const code = e instanceof OtaError ? e.code : undefined;
  return code === StorageError.verifyMismatch || code === StorageError.flashRead;
}

/** True when `a` comes after `b` in 32-bit serial-number order. */
export function serialAfter(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}
