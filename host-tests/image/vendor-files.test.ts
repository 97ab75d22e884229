/** The real vendor OTA files parse header-wise and are refused as unsigned. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../device/errors.js';
import { ImageStream } from '../../device/image/image-stream.js';
import { parseOtaHeader } from '../../device/image/ota-header.js';
import { readU16, readU32 } from '../../device/util/bytes.js';
import { otaImagesDir } from '../vectors/vectors.js';

const DIR = otaImagesDir;

const FILES = [
  {
    name: 'sonoff-zbminir2-1.0.8.ota',
    size: 277_180,
    manufacturer: 0x1286,
    imageType: 0x0008,
    version: 0x00001008,
    headerLength: 56,
    hw: undefined,
    firstTag: 0x0000,
  },
  {
    name: 'innr-1166-022d.ota',
    size: 262_013,
    manufacturer: 0x1166,
    imageType: 0x022d,
    version: 0x24031511,
    headerLength: 60,
    hw: [0, 257],
    firstTag: 0x0000,
  },
  {
    name: 'ubisys-10f2-7b3a.ota',
    size: 123_902,
    manufacturer: 0x10f2,
    imageType: 0x7b3a,
    version: 0x02500447,
    headerLength: 60,
    hw: [0, 5],
    firstTag: 0xf7bd,
  },
];

describe('real vendor OTA files', () => {
  for (const f of FILES) {
    it(`${f.name}: header fields parse and the file is refused with IMG_UNSIGNED`, () => {
      const file = new Uint8Array(readFileSync(path.join(DIR, f.name)));
      expect(file.length).toBe(f.size);
      const h = parseOtaHeader(file);
      expect(h.manufacturerCode).toBe(f.manufacturer);
      expect(h.imageType).toBe(f.imageType);
      expect(h.fileVersion).toBe(f.version);
      expect(h.headerLength).toBe(f.headerLength);
      expect(h.totalImageSize).toBe(f.size);
      expect(h.minHardwareVersion === undefined ? undefined : [h.minHardwareVersion, h.maxHardwareVersion]).toEqual(
        f.hw,
      );
      expect(readU16(file, f.headerLength)).toBe(f.firstTag);
      if (f.name.startsWith('ubisys')) expect(readU32(file, f.headerLength + 2)).toBe(160);

      // Streamed in Zigbee-sized blocks, as the OTA client would: refused at the first element head.
      const stream = new ImageStream({ sha256: nobleSha256, bankSize: 1 << 20 });
      let error: unknown;
      try {
        for (let o = 0; o < file.length; o += 63) stream.push(file.subarray(o, o + 63));
      } catch (e) {
        error = e;
      }
      expect(isOtaError(error, 'IMG_UNSIGNED')).toBe(true);
      expect((error as Error).message).toContain(`0x${f.firstTag.toString(16).padStart(4, '0')}`);
      expect(stream.fileOffset).toBeLessThanOrEqual(f.headerLength + 6 + 62);
      expect(stream.header?.manufacturerCode).toBe(f.manufacturer);
    });
  }
});
