/**
 * Flash port over one file (the lin build's flash chip), with NOR rules enforced rather
 * than assumed: `erase` fills the sector with the erased value; `program` is aligned and
 * lands only on bytes that read erased (a violation throws LIN_FLASH_NOT_ERASED and
 * writes nothing), so a bug that would corrupt a real part fails here too.
 *
 * Durability (fsync through `FileLike.flush`): every erase is synced; programs below
 * `syncBelow` (boot-control record, journal, metadata records: the writes that vouch for
 * other bytes) are synced before (when bank programs are pending, so the bytes a record
 * vouches for are on disk first) and after. Bank programs are left to the next sync: a
 * crash of the machine can lose them, and then a record never vouched for them.
 *
 * Power-cut injection: with `cut` set, flash operation number `cut.at` (from 0, this
 * run) ends the run through `cut.end()`: before touching the file (clean), or
 * after writing the first part of the bytes (torn, as an interrupted program or erase).
 *
 * The file I/O is a `FileLike` so the same port runs over Moddable's
 * `embedded:storage/files` in the build and over node:fs in the supervisor. Every native
 * failure is thrown as LIN_FLASH_IO. No Node API.
 */
import { OtaError } from '../../errors.js';
import type { Flash } from '../../ports.js';
import { LinError } from './lin-errors.js';

/** The slice of a file the port needs (embedded:storage/files `File`, or a node:fs shim). */
export interface FileLike {
  read(into: Uint8Array, position: number): void;
  write(from: Uint8Array, position: number): void;
  /** fsync. */
  flush(): void;
}

export interface FlashGeometry {
  size: number;
  sectorSize: number;
  writeAlign: number;
  erasedValue: 0xff | 0x00;
}

export interface FlashCut {
  /** Operation index (erase or program, from 0 in this run) that is cut. */
  at: number;
  torn: boolean;
  /** Any integer: picks how many bytes a torn operation writes. */
  seed: number;
  /** Ends the run (does not return). */
  end(): void;
}

export class FileFlash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  readonly writeAlign: number;
  readonly erasedValue: 0xff | 0x00;
  /** Erases and programs so far (the fault injector's index). */
  ops = 0;
  private pending = false;
  private readonly scratch: Uint8Array;

  constructor(
    private readonly file: FileLike,
    geometry: FlashGeometry,
    /** Programs below this offset are synced before and after (see the file comment). */
    private readonly syncBelow: number,
    private readonly cut?: FlashCut,
  ) {
    this.size = geometry.size;
    this.sectorSize = geometry.sectorSize;
    this.writeAlign = geometry.writeAlign;
    this.erasedValue = geometry.erasedValue;
    this.scratch = new Uint8Array(this.sectorSize);
  }

  read(offset: number, into: Uint8Array): void {
    this.range(offset, into.length, 1);
    this.io(() => this.file.read(into, offset));
  }

  erase(sector: number): void {
    if (!Number.isInteger(sector) || sector < 0 || sector * this.sectorSize >= this.size) {
      throw new OtaError(LinError.flashRange, `erase of sector ${sector} outside the flash`);
    }
    this.scratch.fill(this.erasedValue);
    const fate = this.fate();
    if (fate === 'clean') this.cut!.end();
    const n = fate === 'torn' ? this.tornLength(this.sectorSize) : this.sectorSize;
    this.io(() => this.file.write(this.scratch.subarray(0, n), sector * this.sectorSize));
    if (fate === 'torn') this.cut!.end();
    this.sync();
  }

  program(offset: number, data: Uint8Array): void {
    this.range(offset, data.length, this.writeAlign);
    // NOR: a program never lands on a byte that does not read erased.
    for (let at = 0; at < data.length; at += this.sectorSize) {
      const part = this.scratch.subarray(0, Math.min(this.sectorSize, data.length - at));
      this.io(() => this.file.read(part, offset + at));
      for (let i = 0; i < part.length; i++) {
        if (part[i] !== this.erasedValue)
          throw new OtaError(LinError.flashNotErased, `program at ${offset + at + i} onto a byte that is not erased`);
      }
    }
    const control = offset < this.syncBelow;
    if (control && this.pending) this.sync();
    const fate = this.fate();
    if (fate === 'clean') this.cut!.end();
    const n = fate === 'torn' ? this.tornLength(data.length) : data.length;
    this.io(() => this.file.write(n === data.length ? data : data.subarray(0, n), offset));
    if (fate === 'torn') this.cut!.end();
    if (control) this.sync();
    else this.pending = true;
  }

  /** Syncs whatever is pending (the platform calls it before a restart). */
  sync(): void {
    this.io(() => this.file.flush());
    this.pending = false;
  }

  private fate(): 'go' | 'clean' | 'torn' {
    const i = this.ops++;
    if (!this.cut || i !== this.cut.at) return 'go';
    return this.cut.torn ? 'torn' : 'clean';
  }

  /** 1 … length−1 bytes: a torn operation wrote some of its bytes, never all. */
  private tornLength(length: number): number {
    return length <= 1 ? 0 : 1 + ((this.cut!.seed >>> 0) % (length - 1));
  }

  private range(offset: number, length: number, align: number): void {
    if (
      !Number.isInteger(offset) ||
      offset < 0 ||
      offset + length > this.size ||
      offset % align !== 0 ||
      length % align !== 0
    ) {
      throw new OtaError(
        LinError.flashRange,
        `access of ${length} bytes at ${offset} outside the flash or not ${align}-aligned`,
      );
    }
  }

  private io(call: () => void): void {
    try {
      call();
    } catch (e) {
      throw new OtaError(LinError.flashIo, `flash file: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
