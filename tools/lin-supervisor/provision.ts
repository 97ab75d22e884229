/**
 * The production line for the lin device: a fresh flash file provisioned by the same
 * production line the emulated world uses (sim/world-parts.ts: the factory build's bytes
 * in bank 0, its boot-control record with floor = its version, the trust anchors in the
 * kept record and in a formatted journal), written through the lin Flash port. The same
 * device/storage code the agent and the tests use writes every record.
 */
import type { TrustStore } from '../../device/pki/index.js';
import { LIN_BUILD } from '../../device/platform/lin/lin-build.js';
import { provisionPart } from '../../sim/index.js';
import { createErasedFile, openFlashFile } from './flash-file.js';

/** Bytes the programmer loads per Flash program call. */
const PIECE = 64 * 1024;

export function provisionFlashFile(path: string, factory: Uint8Array, version: number, trust: TrustStore): void {
  createErasedFile(path);
  const { flash, layout, file } = openFlashFile(path);
  try {
    // The flash file has no programmer of its own: the factory build goes in through the port, padded to its alignment.
    const load = (offset: number, bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length; at += PIECE) {
        const part = bytes.subarray(at, Math.min(bytes.length, at + PIECE));
        const padded = new Uint8Array(Math.ceil(part.length / flash.writeAlign) * flash.writeAlign).fill(
          flash.erasedValue,
        );
        padded.set(part);
        flash.program(offset + at, padded);
      }
    };
    provisionPart({ flash, layout, load }, { image: factory, version, anchors: { build: LIN_BUILD, trust } });
    flash.sync();
  } finally {
    file.close();
  }
}
