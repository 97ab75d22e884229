/**
 * The lin device's flash chip as the supervisor sees it: the flash file, opened through
 * the lin Flash port itself (so the bootloader's and the factory's writes obey the same
 * NOR rules as the build's), and its layout.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FileFlash } from '../../device/platform/lin/file-flash.js';
import { LIN_BUILD, LIN_FLASH, linFlashSize } from '../../device/platform/lin/lin-build.js';
import { makeLayout, type StorageLayout } from '../../device/storage/layout.js';
import { openNodeFile, type NodeFile } from './node-file.js';

export interface FlashFile {
  flash: FileFlash;
  layout: StorageLayout;
  file: NodeFile;
}

export function openFlashFile(path: string): FlashFile {
  const file = openNodeFile(path);
  const geometry = { size: linFlashSize(), ...LIN_FLASH };
  const layout = makeLayout(geometry, LIN_BUILD.layout);
  return { flash: new FileFlash(file, geometry, layout.banks[0].offset), layout, file };
}

/** A factory-fresh part: every byte erased. */
export function createErasedFile(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(1 << 20).fill(LIN_FLASH.erasedValue);
  const size = linFlashSize();
  for (let at = 0; at < size; at += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
  closeSync(fd);
}
