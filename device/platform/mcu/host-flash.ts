/**
 * The Flash port on the MCU platform: a host file holding the whole flash region, through
 * `mcu/host-flash` (semihosting). The file is made by the host runner (tools/mcu/run.ts)
 * at the region's size, erased; it outlives the emulator run, as flash outlives a
 * reset.
 */
import { close, erase, open, program, read } from 'mcu/host-flash';
import type { Bytes, Flash } from '../../ports.js';

export class HostFileFlash implements Flash {
  readonly sectorSize = 4096;
  readonly writeAlign = 4;
  readonly erasedValue = 0xff;
  private readonly handle: number;

  constructor(
    path: string,
    readonly size: number,
  ) {
    this.handle = open(path, true);
  }

  read(offset: number, into: Bytes): void {
    this.check(offset, into.length);
    read(this.handle, offset, into);
  }

  erase(sector: number): void {
    this.check(sector * this.sectorSize, this.sectorSize);
    erase(this.handle, sector);
  }

  program(offset: number, data: Bytes): void {
    this.check(offset, data.length);
    program(this.handle, offset, data);
  }

  close(): void {
    close(this.handle);
  }

  private check(offset: number, length: number): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.size))
      throw new RangeError(`flash access ${offset}+${length} outside ${this.size}`);
  }
}
