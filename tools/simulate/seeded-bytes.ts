/** A repeatable test payload: the same seed gives the same bytes (firmware-like, not all zeros). */
import { Rng } from '../../sim/index.js';

export function randomBytesSeeded(n: number, seed: number): Uint8Array {
  return new Rng(seed ^ 0x51a7e).bytes(n);
}
