/** The FileLike of device/platform/lin/file-flash.ts over node:fs: the supervisor opens the same flash file the build does. */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import type { FileLike } from '../../device/platform/lin/file-flash.js';

export interface NodeFile extends FileLike {
  close(): void;
}

export function openNodeFile(path: string): NodeFile {
  const fd = openSync(path, 'r+');
  return {
    read(into, position) {
      const n = readSync(fd, into, 0, into.length, position);
      if (n !== into.length) throw new Error(`short read of ${into.length} bytes at ${position}`);
    },
    write(from, position) {
      const n = writeSync(fd, from, 0, from.length, position);
      if (n !== from.length) throw new Error(`short write of ${from.length} bytes at ${position}`);
    },
    flush: () => fsyncSync(fd),
    close: () => closeSync(fd),
  };
}
