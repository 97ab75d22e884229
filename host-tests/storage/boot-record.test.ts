/** Boot-control record: codec, both copies, sequence wrap, CRC, transitions, and agreement with the reference bootloader. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { isOtaError } from '../../device/errors.js';
import {
  activateTrial,
  bootStatus,
  confirmTrial,
  isRefused,
  provisionBootRecord,
} from '../../device/storage/boot-control.js';
import {
  BOOT_RECORD_SIZE,
  decodeBootRecord,
  encodeBootRecord,
  readBootRecord,
  readBootRecordCopies,
  writeBootRecord,
  type BootRecord,
} from '../../device/storage/boot-record.js';
import { writeU32 } from '../../device/util/bytes.js';
import { crc32 } from '../../device/util/crc32.js';
import { Rng } from '../../sim/rng.js';
import { bootloader } from '../../sim/world-parts.js';
import { FLASH_PROFILES, type FlashMedia } from '../../sim/sim-flash.js';
import { caught, chipFor, instance } from '../../sim/storage-rig.js';

const OLD = new Rng(1).bytes(5000);
const NEW = new Rng(2).bytes(6000);

function sample(seq = 7): BootRecord {
  return {
    seq,
    state: 'trial',
    trialBootsLeft: 2,
    floor: 0x10000,
    trialWindowSeconds: 300,
    confirmed: { bank: 0, version: 0x10000, length: OLD.length, digest: sha256(OLD) },
    trial: { bank: 1, version: 0x20000, length: NEW.length, digest: sha256(NEW) },
    refused: { version: 0x15000, digest: new Uint8Array(32).fill(0xab) },
  };
}

describe('boot record codec', () => {
  it('round-trips, is 160 bytes with the documented offsets, and the CRC covers bytes 0..143', () => {
    const r = sample();
    const b = encodeBootRecord(r);
    expect(b.length).toBe(BOOT_RECORD_SIZE);
    expect([...b.subarray(0, 4)]).toEqual([0x41, 0x48, 0x42, 0x52]);
    expect(b[9]).toBe(2);
    expect(b[64]).toBe(1);
    expect(decodeBootRecord(b)).toEqual(r);
    for (const at of [0, 5, 9, 12, 30, 80, 110, 143, 144]) {
      const bad = b.slice();
      bad[at] ^= 0x10;
      expect(decodeBootRecord(bad), `flip at ${at}`).toBeUndefined();
    }
    // Reserved tail is not covered: a vendor may not rely on it.
    const tail = b.slice();
    tail[150] ^= 1;
    expect(decodeBootRecord(tail)).toEqual(r);
  });

  it('refuses inconsistent records even with a good CRC', () => {
    const same = encodeBootRecord({ ...sample(), trial: { ...sample().trial!, bank: 0 } });
    expect(decodeBootRecord(same)).toBeUndefined();
    const withCrc = (b: Uint8Array) => {
      writeU32(b, 144, crc32(b, 0, 144));
      return b;
    };
    const state = encodeBootRecord(sample());
    state[9] = 3;
    expect(decodeBootRecord(withCrc(state))).toBeUndefined();
    const bank = encodeBootRecord(sample());
    bank[20] = 2;
    expect(decodeBootRecord(withCrc(bank))).toBeUndefined();
    const format = encodeBootRecord(sample());
    format[8] = 2;
    expect(decodeBootRecord(withCrc(format))).toBeUndefined();
    // The same bytes with the CRC recomputed and nothing else changed decode again.
    expect(decodeBootRecord(withCrc(encodeBootRecord(sample())))).toEqual(sample());
  });
});

describe.each(FLASH_PROFILES)('boot record store on $name', (profile) => {
  function provisioned(seed = 1): FlashMedia {
    const media = chipFor(profile, undefined, seed);
    const inst = instance(media, 0);
    media.bytes.set(OLD, inst.layout.banks[0].offset);
    provisionBootRecord(inst.flash, inst.layout, {
      bank: 0,
      version: 0x10000,
      length: OLD.length,
      digest: sha256(OLD),
    });
    return media;
  }

  it('writes alternate copies with increasing sequence; the newer valid copy stands', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    let c = readBootRecordCopies(inst.flash, inst.layout);
    expect(c.currentCopy).toBe(0);
    expect(c.copies[1]).toBeUndefined();
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = readBootRecord(inst.flash, inst.layout);
      const w = writeBootRecord(inst.flash, inst.layout, { ...r, floor: r.floor + 1 });
      seqs.push(w.seq);
      c = readBootRecordCopies(inst.flash, inst.layout);
      expect(c.currentCopy).toBe((i + 1) % 2);
      expect(c.copies[0] && c.copies[1]).toBeTruthy();
    }
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect(readBootRecord(inst.flash, inst.layout).floor).toBe(0x10005);
    expect(media.misuse).toEqual([]);
  });

  it('the sequence number wraps: 0 comes after 0xFFFFFFFF', () => {
    const media = chipFor(profile);
    const inst = instance(media, 0);
    writeBootRecord(inst.flash, inst.layout, { ...sample(0xfffffffe), state: 'confirmed', trial: undefined });
    const r = readBootRecord(inst.flash, inst.layout);
    writeBootRecord(inst.flash, inst.layout, { ...r, floor: 1 }); // 0xFFFFFFFF
    writeBootRecord(inst.flash, inst.layout, { ...readBootRecord(inst.flash, inst.layout), floor: 2 }); // 0
    const c = readBootRecordCopies(inst.flash, inst.layout);
    expect(c.current!.seq).toBe(0);
    expect(c.current!.floor).toBe(2);
    expect(c.copies.map((x) => x!.seq).sort()).toEqual([0, 0xffffffff].sort());
    // The reference bootloader agrees on which copy stands.
    media.bytes.set(OLD, inst.layout.banks[0].offset);
    const boot = bootloader(inst.flash, inst.layout).boot();
    expect(boot).toMatchObject({ kind: 'boot', bank: 0 });
  });

  it('a corrupt copy is ignored; both corrupt is BOOT_RECORD_CORRUPT and the bootloader halts', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    writeBootRecord(inst.flash, inst.layout, { ...readBootRecord(inst.flash, inst.layout), floor: 0x10001 });
    const bBase = inst.layout.bootSectors[1] * inst.layout.sectorSize;
    media.bytes[bBase + 13] ^= 0x01; // newer copy B corrupt: A (older) stands
    expect(readBootRecord(inst.flash, inst.layout).floor).toBe(0x10000);
    const aBase = inst.layout.bootSectors[0] * inst.layout.sectorSize;
    media.bytes[aBase + 13] ^= 0x01;
    expect(
      isOtaError(
        caught(() => readBootRecord(inst.flash, inst.layout)),
        'BOOT_RECORD_CORRUPT',
      ),
    ).toBe(true);
    expect(bootloader(inst.flash, inst.layout).boot()).toMatchObject({ kind: 'halt', row: 2 });
  });

  it('a copy that cannot be read (or reads wrong) is invalid for the agent and the bootloader alike, never a throw', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    writeBootRecord(inst.flash, inst.layout, { ...readBootRecord(inst.flash, inst.layout), floor: 0x10001 });
    // Two flipped bits in the newer copy B: an ECC read fault, or a CRC mismatch without ECC.
    media.flipBits(inst.layout.bootSectors[1] * inst.layout.sectorSize + 40, 0x03);
    if (profile.ecc) expect(media.unreadable(inst.layout.bootSectors[1] * inst.layout.sectorSize, 160)).toBe(true);
    expect(readBootRecordCopies(inst.flash, inst.layout).copies[1]).toBeUndefined();
    expect(readBootRecord(inst.flash, inst.layout).floor).toBe(0x10000);
    expect(bootStatus(inst, inst.layout).kind).toBe('confirmed');
    expect(bootloader(inst.flash, inst.layout).boot()).toMatchObject({
      kind: 'boot',
      bank: 0,
      row: 6,
    });
    // The next write goes over the damaged copy and mends it.
    writeBootRecord(inst.flash, inst.layout, { ...readBootRecord(inst.flash, inst.layout), floor: 0x10002 });
    expect(readBootRecordCopies(inst.flash, inst.layout).copies.every((c) => c !== undefined)).toBe(true);
    expect(readBootRecord(inst.flash, inst.layout).floor).toBe(0x10002);
    expect(media.misuse).toEqual([]);
  });

  it('a cut at the erase or program of a record write, clean or torn, leaves the old record or the new one', () => {
    for (let seed = 1; seed <= 30; seed++) {
      for (const k of [0, 1]) {
        for (const torn of [false, true]) {
          const media = provisioned(seed);
          const inst = instance(media, 0);
          const before = readBootRecord(inst.flash, inst.layout);
          media.cutPowerAt(media.ops + k, { torn });
          expect(() => writeBootRecord(inst.flash, inst.layout, { ...before, floor: 0x10009 })).toThrow();
          const after = readBootRecord(instance(media, 0).flash, instance(media, 0).layout);
          expect([0x10000, 0x10009]).toContain(after.floor);
          expect(media.misuse).toEqual([]);
        }
      }
    }
  });

  it('activate, bootloader trial boot, confirm with the new floor in one write', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    media.bytes.set(NEW, inst.layout.banks[1].offset);
    const ops = media.ops;
    const t = activateTrial(
      inst,
      inst.layout,
      { version: 0x20000, length: NEW.length, digest: sha256(NEW) },
      { trialBoots: 2, trialWindowSeconds: 120 },
    );
    expect(media.ops - ops).toBe(2); // one erase, one program
    expect(t).toMatchObject({
      state: 'trial',
      trialBootsLeft: 2,
      trialWindowSeconds: 120,
      trial: { bank: 1, version: 0x20000 },
    });
    // The bank writer may not touch bank 1 now: it is the trial, and bank 0 the fallback.
    expect(bootStatus(inst, inst.layout).kind).toBe('inconsistent');
    const trialInst = instance(media, 1);
    const out = bootloader(trialInst.flash, trialInst.layout).boot();
    expect(out).toMatchObject({ kind: 'boot', bank: 1, trial: true, watchdogSeconds: 120 });
    expect(readBootRecord(trialInst.flash, trialInst.layout).trialBootsLeft).toBe(1);
    expect(bootStatus(trialInst, trialInst.layout).kind).toBe('trial');
    const before = media.ops;
    const c = confirmTrial(trialInst, trialInst.layout);
    expect(media.ops - before).toBe(2);
    // The default floor keeps the previous image allowed: it is the fallback, one image back.
    expect(c).toMatchObject({
      state: 'confirmed',
      floor: 0x10000,
      confirmed: { bank: 1, version: 0x20000 },
      fallback: { bank: 0, version: 0x10000 },
    });
    expect(c.trial).toBeUndefined();
    expect(
      isOtaError(
        caught(() => confirmTrial(trialInst, trialInst.layout)),
        'BOOT_STATE',
      ),
    ).toBe(true);
    expect(bootloader(trialInst.flash, trialInst.layout).boot()).toMatchObject({
      kind: 'boot',
      bank: 1,
      trial: false,
      row: 6,
    });
  });

  it('refuses a version below the floor, a reverted digest, and activation from a trial', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    const below = caught(() =>
      activateTrial(inst, inst.layout, { version: 0xffff, length: 10, digest: new Uint8Array(32) }),
    );
    expect(isOtaError(below, 'BOOT_BELOW_FLOOR')).toBe(true);
    const rec = readBootRecord(inst.flash, inst.layout);
    writeBootRecord(inst.flash, inst.layout, { ...rec, refused: { version: 0x20000, digest: sha256(NEW) } });
    const refused = caught(() =>
      activateTrial(inst, inst.layout, { version: 0x20000, length: NEW.length, digest: sha256(NEW) }),
    );
    expect(isOtaError(refused, 'BOOT_IMAGE_REFUSED')).toBe(true);
    expect(isRefused(readBootRecord(inst.flash, inst.layout), 0x20000, sha256(NEW))).toBe(true);
    // Another build of the reverted version is allowed; a lower version is not (no ping-pong between two bad images).
    expect(isRefused(readBootRecord(inst.flash, inst.layout), 0x20000, sha256(OLD))).toBe(false);
    expect(isRefused(readBootRecord(inst.flash, inst.layout), 0x1ffff, sha256(OLD))).toBe(true);
    activateTrial(inst, inst.layout, { version: 0x20001, length: OLD.length, digest: sha256(OLD) });
    expect(
      isOtaError(
        caught(() => activateTrial(inst, inst.layout, { version: 0x20002, length: 1, digest: new Uint8Array(32) })),
        'BOOT_STATE',
      ),
    ).toBe(true);
    expect(
      isOtaError(
        caught(() => provisionBootRecord(inst.flash, inst.layout, rec.confirmed)),
        'BOOT_STATE',
      ),
    ).toBe(true);
  });

  it('the bootloader reverts a trial whose bank digest differs, without refusing it', () => {
    const media = provisioned();
    const inst = instance(media, 0);
    media.bytes.set(NEW, inst.layout.banks[1].offset);
    activateTrial(inst, inst.layout, { version: 0x20000, length: NEW.length, digest: sha256(NEW) });
    media.bytes[inst.layout.banks[1].offset + 100] ^= 1;
    const out = bootloader(inst.flash, inst.layout).boot();
    expect(out).toMatchObject({ kind: 'boot', bank: 0, trial: false, row: 4 });
    const rec = readBootRecord(inst.flash, inst.layout);
    expect(rec.state).toBe('confirmed');
    expect(rec.refused).toBeUndefined();
  });
});
