/**
 * The lin supervisor's production line and bootloader without the SDK: a flash file
 * provisioned with a factory payload is read by the reference bootloader through the lin
 * Flash port (row 2, bank 0, the same bytes), and the build finds its trust anchors in it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrustStore } from '../../../device/agent/device-config.js';
import { LIN_BUILD, linFlashSize } from '../../../device/platform/lin/lin-build.js';
import { createTrustStore, encodeTrustStore } from '../../../device/pki/trust-store.js';
import { readBootRecord } from '../../../device/storage/boot-record.js';
import { bootloader } from '../../../sim/world-parts.js';
import { Rng } from '../../../sim/rng.js';
import { createTestPki } from '../../../tools/pki/test-pki.js';
import { openFlashFile } from '../../../tools/lin-supervisor/flash-file.js';
import { provisionFlashFile } from '../../../tools/lin-supervisor/provision.js';

const DIR = join(process.cwd(), '.tmp', 'lin-provision');

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('lin supervisor provisioning', () => {
  it('writes a factory image the bootloader starts and trust anchors the build reads', () => {
    mkdirSync(DIR, { recursive: true });
    const path = join(DIR, 'flash.bin');
    const factory = new Rng(5).bytes(100_001); // not a multiple of the write alignment
    const pki = createTestPki();
    const trust = createTrustStore(pki.manufacturerRoot.der, { supplier1: pki.supplier1.der });
    provisionFlashFile(path, factory, 0x01000000, trust);

    const f = openFlashFile(path);
    try {
      expect(f.flash.size).toBe(linFlashSize());
      const outcome = bootloader(f.flash, f.layout).boot();
      expect(outcome).toMatchObject({ kind: 'boot', bank: 0, trial: false, row: 6 });
      const record = readBootRecord(f.flash, f.layout);
      expect(record.state).toBe('confirmed');
      expect(record.confirmed).toMatchObject({ bank: 0, version: 0x01000000, length: factory.length });
      const back = new Uint8Array(factory.length);
      f.flash.read(f.layout.banks[0].offset, back);
      expect(back).toEqual(factory);
      expect(encodeTrustStore(loadTrustStore(f.flash, LIN_BUILD))).toEqual(encodeTrustStore(trust));
    } finally {
      f.file.close();
    }
  });
});
