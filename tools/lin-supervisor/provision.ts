/**
 * The production line for the lin device: a fresh flash file with the factory build's
 * bytes in bank 0, its boot-control record (confirmed, floor = its version), the trust
 * anchors in the kept record (two copies) and in a formatted journal. The same device/storage code the agent and the tests
 * use writes every record.
 */
import { nobleSha256 } from '../../device/crypto/index.js';
import { type TrustStore, encodeTrustStore } from '../../device/pki/index.js';
import { hashFlash, provisionBootRecord } from '../../device/storage/index.js';
import { provisionTrustAnchors } from '../../device/agent/index.js';
import { LIN_BUILD } from '../../device/platform/lin/lin-build.js';
import { createErasedFile, openFlashFile } from './flash-file.js';

export function provisionFlashFile(path: string, factory: Uint8Array, version: number, trust: TrustStore): void {
  createErasedFile(path);
  const { flash, layout, file } = openFlashFile(path);
  try {
    const bank = layout.banks[0];
    if (factory.length > bank.size)
      throw new Error(`factory build of ${factory.length} bytes does not fit a ${bank.size}-byte bank`);
    const piece = 64 * 1024;
    for (let at = 0; at < factory.length; at += piece) {
      const part = factory.subarray(at, Math.min(factory.length, at + piece));
      const padded = new Uint8Array(Math.ceil(part.length / flash.writeAlign) * flash.writeAlign).fill(
        flash.erasedValue,
      );
      padded.set(part);
      flash.program(bank.offset + at, padded);
    }
    const digest = hashFlash(flash, nobleSha256, bank.offset, factory.length);
    provisionBootRecord(flash, layout, { bank: 0, version, length: factory.length, digest });
    provisionTrustAnchors(flash, LIN_BUILD, encodeTrustStore(trust));
    flash.sync();
  } finally {
    file.close();
  }
}
