/**
 * Writing a set of files all or none: each goes to a temporary file in its own directory,
 * and only when every one is written are they renamed into place. A rename that fails
 * puts the files already replaced back. A failure throws IO_WRITE (exit 3) and leaves the
 * set on disk as it was: never part old, part new. (A power cut during the renames can
 * still leave a mix; the tools are not the device.)
 */
import { existsSync, lstatSync, mkdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IoError, ioError } from './io-errors.js';

export interface OutputFile {
  path: string;
  content: string | Uint8Array;
}

const tag = `${process.pid}-${Date.now().toString(36)}`;

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // cleaning up after a failure: the first error is the one reported
  }
}

/** Writes every file or none. `dir`, when given, is created first (and removed again on failure if it was new). */
export function writeFilesAllOrNone(files: OutputFile[], dir?: string): void {
  let madeDir: string | undefined;
  const temps: string[] = [];
  const fail = (target: string, e: unknown): never => {
    for (const t of temps) quietly(() => unlinkSync(t));
    const created = madeDir;
    if (created) quietly(() => rmdirSync(created));
    throw ioError(IoError.write, `cannot write ${target}: ${(e as Error).message}; nothing was written`);
  };
  if (dir !== undefined) {
    try {
      madeDir = existsSync(dir) ? undefined : mkdirSync(dir, { recursive: true });
    } catch (e) {
      fail(dir, e);
    }
  }
  // A target that exists but is not a file (a directory, a socket) would fail its rename: refuse up front.
  for (const f of files) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(f.path, { throwIfNoEntry: false });
    } catch (e) {
      fail(f.path, e);
    }
    if (st && !st.isFile())
      fail(f.path, new Error(st.isDirectory() ? 'it is a directory' : 'it is not a regular file'));
  }
  for (const f of files) {
    const temp = path.join(path.dirname(f.path), `.${path.basename(f.path)}.${tag}.tmp`);
    try {
      writeFileSync(temp, f.content, { flag: 'wx' });
      temps.push(temp);
    } catch (e) {
      fail(f.path, e);
    }
  }
  // Every temp is written: move the old files aside, then the new ones in; undo on a failure.
  const backups: { target: string; backup: string }[] = [];
  const placed: string[] = [];
  let current = files[0]?.path ?? '';
  try {
    for (const f of files) {
      current = f.path;
      if (existsSync(f.path)) {
        const backup = path.join(path.dirname(f.path), `.${path.basename(f.path)}.${tag}.old`);
        renameSync(f.path, backup);
        backups.push({ target: f.path, backup });
      }
    }
    files.forEach((f, i) => {
      current = f.path;
      renameSync(temps[i], f.path);
      placed.push(f.path);
    });
  } catch (e) {
    for (const p of placed) quietly(() => unlinkSync(p));
    for (const b of backups) quietly(() => renameSync(b.backup, b.target));
    fail(current, e);
  }
  for (const b of backups) quietly(() => unlinkSync(b.backup));
}
