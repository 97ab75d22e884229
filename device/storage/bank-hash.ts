/**
 * SHA-256 of what a bank holds, read from flash in small pieces: RAM use is the scratch
 * buffer whatever the image size. The bootloader's digest check and the agent's resume
 * and read-back verification all come through here.
 */
import type { Flash, Sha256, Sha256Context } from '../ports.js';
import { readFlash } from './flash-io.js';

/** Feeds flash bytes [offset, offset+length) into every context given. */
export function feedFromFlash(
  flash: Flash,
  offset: number,
  length: number,
  contexts: readonly Sha256Context[],
  scratch: Uint8Array,
): void {
  for (let o = 0; o < length; o += scratch.length) {
    const piece = scratch.subarray(0, Math.min(scratch.length, length - o));
    readFlash(flash, offset + o, piece);
    for (const c of contexts) c.update(piece);
  }
}

/** The digest of flash bytes [offset, offset+length). */
export function hashFlash(
  flash: Flash,
  sha256: Sha256,
  offset: number,
  length: number,
  scratch = new Uint8Array(256),
): Uint8Array {
  const hash = sha256.create();
  feedFromFlash(flash, offset, length, [hash], scratch);
  return hash.digest();
}
