/** The device's ImageSink over the real image session and the real storage: authenticate before erasing, resume by re-hashing, refuse typed. */
import { describe, expect, it } from 'vitest';
import { UpdateSink } from '../../device/agent/update-sink.js';
import type { ImageIdentity } from '../../device/agent/image-sink.js';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { hashFlash } from '../../device/storage/bank-hash.js';
import { provisionBootRecord } from '../../device/storage/boot-control.js';
import { Journal } from '../../device/storage/journal.js';
import { readDownloadProgress } from '../../device/storage/journal-records.js';
import { readU16, readU32 } from '../../device/util/bytes.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from '../e2e/e2e-fixture.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { NOR_FF_ALIGN4, type FlashMedia } from '../../sim/sim-flash.js';

const CONFIG = { bankSize: 64 * 1024, metadataSize: 8192 };

function chip(): FlashMedia {
  const media = chipFor(NOR_FF_ALIGN4, CONFIG);
  const i = instance(media, 0, CONFIG);
  const factory = new Uint8Array(4096).fill(0x5a);
  media.bytes.set(factory, i.layout.banks[0].offset);
  provisionBootRecord(i.flash, i.layout, {
    bank: 0,
    version: FROM_VERSION,
    length: factory.length,
    digest: hashFlash(i.flash, nobleSha256, i.layout.banks[0].offset, factory.length),
  });
  Journal.open(i.flash, i.layout);
  return media;
}

function sinkOn(media: FlashMedia) {
  const i = instance(media, 0, CONFIG);
  const sink = new UpdateSink(
    { flash: i.flash, boot: i.boot, sha256: nobleSha256, p256: nobleP256 },
    i.layout,
    pki().trustStore,
    {
      manufacturerCode: E2E_IDS.manufacturerCode,
      imageType: E2E_IDS.imageType,
      hardwareVersion: HARDWARE_VERSION,
      currentVersion: FROM_VERSION,
    },
  );
  return { sink, ...i };
}

function identity(file: Uint8Array): ImageIdentity {
  return {
    manufacturerCode: readU16(file, 10),
    imageType: readU16(file, 12),
    fileVersion: readU32(file, 14),
    imageSize: file.length,
  };
}

/** A download of `file` cut by a power loss after `upTo` bytes: the chip, and the instance that died. */
function cutAfter(file: Uint8Array, upTo: number) {
  const media = chip();
  const first = sinkOn(media);
  first.sink.begin(identity(file));
  feed(first.sink, file, 0, upTo);
  first.rail.cut('test');
  return { media, first };
}

/** Feeds `file` from `from` to `to` in 50-byte blocks as the OTA client does (re-offering a block after approval). */
function feed(
  sink: UpdateSink,
  file: Uint8Array,
  from: number,
  to = file.length,
): { approvals: number; refused?: string } {
  let approvals = 0;
  for (let o = from; o < to; ) {
    const block = file.subarray(o, Math.min(to, o + 50));
    const r = sink.write(o, block);
    if (r.kind === 'need-approval') {
      approvals++;
      sink.approveErase();
      continue;
    }
    if (r.kind === 'refused') return { approvals, refused: r.error.code };
    o += block.length;
  }
  return { approvals };
}

describe('UpdateSink', () => {
  it('downloads, verifies and holds an image; the held hash is the Manufacturer Image Hash', () => {
    const image = signedImage(20_000, { seed: 2 });
    const { sink } = sinkOn(chip());
    expect(sink.begin(identity(image.file))).toBe(0);
    expect(feed(sink, image.file, 0)).toEqual({ approvals: 1 });
    expect(sink.end()).toEqual({ kind: 'ok' });
    expect(sink.held).toMatchObject({
      fileVersion: TO_VERSION,
      payloadLength: 20_000,
      bank: 1,
      supplierCell: 'supplier1',
    });
    expect(sink.held!.manufacturerImageHash).toEqual(image.manufacturerImageHash);
  });

  it('refuses an image whose manifest does not verify before touching flash', () => {
    const image = signedImage(20_000, { seed: 2 });
    const bad = image.file.slice();
    // A byte inside the signed manifest (after the 6-byte element head that follows the header).
    bad[readU16(bad, 6) + 10] ^= 0x01;
    const media = chip();
    const ops = media.ops;
    const { sink } = sinkOn(media);
    sink.begin(identity(bad));
    const r = feed(sink, bad, 0);
    expect(r.approvals).toBe(0);
    expect(r.refused).toMatch(/^IMG_/);
    expect(media.ops).toBe(ops);
  });

  it('an image for another hardware version is refused before any erase', () => {
    const image = signedImage(8_000, { seed: 2, spec: { minHardwareVersion: 7, maxHardwareVersion: 9 } });
    const media = chip();
    const ops = media.ops;
    const { sink } = sinkOn(media);
    sink.begin(identity(image.file));
    expect(feed(sink, image.file, 0)).toEqual({ approvals: 0, refused: 'IMG_HW_VERSION' });
    expect(media.ops).toBe(ops);
  });

  it('resumes after a reboot from the journal, re-hashing what the bank holds, and verifies the same as a straight download', () => {
    const image = signedImage(30_000, { seed: 3 });
    const { media } = cutAfter(image.file, 20_000);
    const second = sinkOn(media);
    const at = second.sink.begin(identity(image.file));
    expect(at).toBeGreaterThan(4096);
    expect(at).toBeLessThanOrEqual(20_000);
    expect(feed(second.sink, image.file, at)).toEqual({ approvals: 0 });
    expect(second.sink.end()).toEqual({ kind: 'ok' });
    expect(second.sink.held!.manufacturerImageHash).toEqual(image.manufacturerImageHash);
  });

  it('a complete image is verified again from flash at the next begin; a changed bank byte makes it start clean', () => {
    const image = signedImage(12_000, { seed: 4 });
    const media = chip();
    const a = sinkOn(media);
    a.sink.begin(identity(image.file));
    feed(a.sink, image.file, 0);
    expect(a.sink.end().kind).toBe('ok');
    const b = sinkOn(media);
    expect(b.sink.begin(identity(image.file))).toBe(image.file.length);
    expect(b.sink.held!.manufacturerImageHash).toEqual(image.manufacturerImageHash);
    media.bytes[b.layout.banks[1].offset + 100] ^= 0x10;
    const c = sinkOn(media);
    expect(c.sink.begin(identity(image.file))).toBe(0);
    expect(c.sink.held).toBeUndefined();
    expect(readDownloadProgress(Journal.open(c.flash, c.layout))).toBeUndefined();
  });

  it('a trailer from a supplier in neither cell is refused at the end with INVALID_IMAGE; its progress is forgotten', () => {
    const image = signedImage(8_000, { seed: 5, supplier: 'stranger' });
    const { sink, flash, layout } = sinkOn(chip());
    sink.begin(identity(image.file));
    const r = feed(sink, image.file, 0);
    expect(r.refused).toBe('IMG_SUPPLIER_SIGNATURE');
    expect(sink.held).toBeUndefined();
    expect(readDownloadProgress(Journal.open(flash, layout))).toBeUndefined();
  });

  it('a resumed payload whose bank bytes changed misses its digest: a local failure (no refusal), progress dropped, the next offer downloads it whole', () => {
    const image = signedImage(30_000, { seed: 6 });
    const { media, first } = cutAfter(image.file, 20_000);
    media.bytes[first.layout.banks[1].offset + 1000] ^= 0x01;
    const second = sinkOn(media);
    const at = second.sink.begin(identity(image.file));
    expect(at).toBeGreaterThan(0);
    expect(feed(second.sink, image.file, at).refused).toBe('SINK_RESUME_CORRUPT');
    const third = sinkOn(media);
    expect(third.sink.begin(identity(image.file))).toBe(0);
    expect(feed(third.sink, image.file, 0)).toEqual({ approvals: 1 });
    expect(third.sink.end()).toEqual({ kind: 'ok' });
  });

  it('the same image offered again in the same boot (the client gave up on the link) carries on from RAM without touching flash', () => {
    const image = signedImage(20_000, { seed: 8 });
    const media = chip();
    const { sink } = sinkOn(media);
    sink.begin(identity(image.file));
    feed(sink, image.file, 0, 9_050);
    const ops = media.ops;
    expect(sink.begin(identity(image.file))).toBe(9_050);
    expect(media.ops).toBe(ops);
    expect(feed(sink, image.file, 9_050)).toEqual({ approvals: 0 });
    expect(sink.end()).toEqual({ kind: 'ok' });
    expect(sink.held!.manufacturerImageHash).toEqual(image.manufacturerImageHash);
  });
});
