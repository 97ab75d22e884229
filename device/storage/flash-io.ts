/**
 * The only path from device/storage to the Flash port. Each call turns whatever the port
 * throws into a typed OtaError, so callers reason about one failure shape; a failed
 * program or erase leaves its bytes unknown, and callers treat them that way.
 */
import { OtaError, asOtaError } from '../errors.js';
import type { Flash } from '../ports.js';
import { StorageError } from './storage-errors.js';

export function readFlash(flash: Flash, offset: number, into: Uint8Array): void {
  try {
    flash.read(offset, into);
  } catch (e) {
    throw asOtaError(e, StorageError.flashRead);
  }
}

export function programFlash(flash: Flash, offset: number, data: Uint8Array): void {
  try {
    flash.program(offset, data);
  } catch (e) {
    throw asOtaError(e, StorageError.flashWrite);
  }
}

export function eraseSector(flash: Flash, sector: number): void {
  try {
    flash.erase(sector);
  } catch (e) {
    throw asOtaError(e, StorageError.flashErase);
  }
}

/** Programs `data` and reads it back; a difference is a typed mismatch, not silence. */
export function programVerified(flash: Flash, offset: number, data: Uint8Array, scratch?: Uint8Array): void {
  programFlash(flash, offset, data);
  const back =
    scratch && scratch.length >= data.length ? scratch.subarray(0, data.length) : new Uint8Array(data.length);
  readFlash(flash, offset, back);
  for (let i = 0; i < data.length; i++) {
    if (back[i] !== data[i]) throw new OtaError(StorageError.verifyMismatch, `read-back differs at ${offset + i}`);
  }
}

export function allErased(bytes: Uint8Array, erasedValue: number): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== erasedValue) return false;
  return true;
}

/**
 * True when every byte of [offset, offset+length) reads erased; reads in small pieces so
 * RAM stays bounded. A piece that cannot be read (an ECC read fault, a torn word) is not
 * erased: the caller erases it before use, which is what such a word needs.
 */
export function regionErased(flash: Flash, offset: number, length: number, scratch: Uint8Array): boolean {
  for (let o = 0; o < length; o += scratch.length) {
    const piece = scratch.subarray(0, Math.min(scratch.length, length - o));
    if (!tryRead(flash, offset + o, piece)) return false;
    if (!allErased(piece, flash.erasedValue)) return false;
  }
  return true;
}

/**
 * Reads like `readFlash` but answers false when the port throws. For records kept in two
 * copies or guarded by a CRC: a copy or record that cannot be read is simply not valid,
 * the same as one whose CRC fails (docs/BOOT.md, "single faults").
 */
export function tryRead(flash: Flash, offset: number, into: Uint8Array): boolean {
  try {
    flash.read(offset, into);
    return true;
  } catch {
    return false;
  }
}

/** Rounds `n` up to a multiple of `align`. */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
