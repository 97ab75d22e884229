/** The power-on check of the running image: bank digest against the boot record's slot and the signed manifest. */
import { describe, expect, it } from 'vitest';
import { runningImageMatches } from '../../device/agent/running-image.js';
import { UpdateSink } from '../../device/agent/update-sink.js';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { hashFlash } from '../../device/storage/bank-hash.js';
import { provisionBootRecord } from '../../device/storage/boot-control.js';
import { Journal } from '../../device/storage/journal.js';
import { readU16, readU32 } from '../../device/util/bytes.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from '../e2e/e2e-fixture.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';

const CONFIG = { bankSize: 64 * 1024, metadataSize: 8192 };

/** A chip whose bank 1 holds a downloaded image with its metadata record, and the slot that names it. */
function downloaded() {
  const media = chipFor(NOR_FF_ALIGN4, CONFIG);
  const i = instance(media, 0, CONFIG);
  media.bytes.fill(0x11, i.layout.banks[0].offset, i.layout.banks[0].offset + 4096);
  const d0 = hashFlash(i.flash, nobleSha256, i.layout.banks[0].offset, 4096);
  provisionBootRecord(i.flash, i.layout, { bank: 0, version: FROM_VERSION, length: 4096, digest: d0 });
  Journal.open(i.flash, i.layout);
  const image = signedImage(10_000, { seed: 14 });
  const sink = new UpdateSink(
    { flash: i.flash, boot: i.boot, sha256: nobleSha256, p256: nobleP256 },
    i.layout,
    pki().trustStore,
    { ...E2E_IDS, hardwareVersion: HARDWARE_VERSION, currentVersion: FROM_VERSION },
  );
  const f = image.file;
  sink.begin({
    manufacturerCode: readU16(f, 10),
    imageType: readU16(f, 12),
    fileVersion: readU32(f, 14),
    imageSize: f.length,
  });
  for (let o = 0; o < f.length; ) {
    const r = sink.write(o, f.subarray(o, o + 50));
    if (r.kind === 'need-approval') sink.approveErase();
    else o = Math.min(f.length, o + 50);
  }
  expect(sink.end()).toEqual({ kind: 'ok' });
  const slot = { bank: 1, version: TO_VERSION, length: 10_000, digest: sink.held!.payloadDigest };
  return { media, i, slot, d0 };
}

describe('runningImageMatches', () => {
  it("a bank whose digest is its slot's and its signed manifest's matches; so does a factory image without metadata", () => {
    const { i, slot, d0 } = downloaded();
    expect(runningImageMatches({ flash: i.flash, sha256: nobleSha256 }, i.layout, slot)).toBe(true);
    expect(
      runningImageMatches({ flash: i.flash, sha256: nobleSha256 }, i.layout, {
        bank: 0,
        version: FROM_VERSION,
        length: 4096,
        digest: d0,
      }),
    ).toBe(true);
  });

  it('one changed bank byte fails the check', () => {
    const { media, i, slot } = downloaded();
    media.bytes[i.layout.banks[1].offset + 9_999] ^= 0x80;
    expect(runningImageMatches({ flash: i.flash, sha256: nobleSha256 }, i.layout, slot)).toBe(false);
  });

  it('a slot that names another version than the signed manifest fails the check', () => {
    const { i, slot } = downloaded();
    expect(
      runningImageMatches({ flash: i.flash, sha256: nobleSha256 }, i.layout, { ...slot, version: TO_VERSION + 1 }),
    ).toBe(false);
  });
});
