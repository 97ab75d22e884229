import { UsageError } from '../command.js';

/** A flag's value as an unsigned integer: decimal or 0x-hex, at most `max`. */
export function numberFlag(flags: Map<string, string[]>, name: string, max: number, fallback?: number): number {
  const text = flags.get(name)?.[0];
  if (text === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const v = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new UsageError(`--${name} ${text}: expected an integer 0..${max} (decimal or 0x-hex)`);
  return v;
}
