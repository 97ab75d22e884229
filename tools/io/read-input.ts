/** Reading an input file: every file-system failure becomes a CliError with an IO_* code (exit 3). */
import { readFileSync, statSync } from 'node:fs';
import { IoError, ioCodeOf, ioError } from './io-errors.js';

/** The whole file. `what` names it in the message ("--trust STORE", "the payload"). */
export function readInput(path: string, what: string): Uint8Array {
  try {
    // readFileSync of a directory fails with EISDIR on Linux but not everywhere: ask first.
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return Uint8Array.from(readFileSync(path));
  } catch (e) {
    const code = ioCodeOf(e, IoError.read);
    const reason = {
      [IoError.notFound]: 'no such file',
      [IoError.isDirectory]: 'is a directory',
      [IoError.permission]: 'permission denied',
    }[code as string];
    throw ioError(code, `${what} ${path}: ${reason ?? (e as Error).message}`);
  }
}
