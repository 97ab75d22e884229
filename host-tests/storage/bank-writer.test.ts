/** Bank writer: alignment on both profiles, erase-ahead, read-back, running-bank protection, resume after cuts. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../device/errors.js';
import type { Flash } from '../../device/ports.js';
import { BankWriter } from '../../device/storage/bank-writer.js';
import { InactiveRegion } from '../../device/storage/inactive-region.js';
import { Rng } from '../../sim/rng.js';
import { FLASH_PROFILES, type FlashMedia } from '../../sim/sim-flash.js';
import { caught, chipFor, instance } from '../../sim/storage-rig.js';

const PAYLOAD = new Rng(7).bytes(14_001); // not a multiple of any alignment

function ports(media: FlashMedia, running: number) {
  const inst = instance(media, running);
  return { inst, p: { flash: inst.flash, sha256: nobleSha256, boot: inst.boot } };
}

/** Feeds `data[from..)` in chunks of varying size; calls `progress` after each flush. */
function stream(w: BankWriter, data: Uint8Array, from: number, rng: Rng, progress?: (durable: number) => void): void {
  let at = from;
  while (at < data.length) {
    const n = Math.min(data.length - at, 1 + rng.int(0, 200));
    w.write(at, data.subarray(at, at + n));
    at += n;
    if (progress && rng.chance(0.2)) progress(w.flush());
  }
}

describe.each(FLASH_PROFILES)('bank writer on $name', (profile) => {
  it('streams into the inactive bank only, aligned, erasing each sector just before its first program', () => {
    for (const running of [0, 1]) {
      const media = chipFor(profile);
      // The running bank holds an image; it must come through byte for byte.
      const runningImage = new Rng(99).bytes(16 * 1024);
      const { inst, p } = ports(media, running);
      const runBank = inst.layout.banks[running];
      const other = inst.layout.banks[1 - running];
      media.bytes.set(runningImage, runBank.offset);
      media.log = [];
      const w = BankWriter.begin(p, inst.layout, PAYLOAD.length);
      expect(w.bank).toBe(1 - running);
      stream(w, PAYLOAD, 0, new Rng(3));
      const digest = w.finish(sha256(PAYLOAD));
      expect(digest).toEqual(sha256(PAYLOAD));
      expect(media.peek(other.offset, PAYLOAD.length)).toEqual(PAYLOAD);
      expect(media.peek(runBank.offset, runBank.size)).toEqual(runningImage);
      expect(media.misuse).toEqual([]);
      const lo = other.offset;
      const hi = other.offset + other.size;
      const programmed = new Set<number>();
      for (const op of media.log) {
        expect(op.offset >= lo && op.offset + op.length <= hi).toBe(true);
        expect(op.offset % profile.writeAlign).toBe(0);
        expect(op.length % profile.writeAlign).toBe(0);
        const sector = Math.floor(op.offset / profile.sectorSize);
        if (op.kind === 'erase') {
          // Erase-ahead: a sector is erased once, only when no later sector has been programmed yet.
          expect(programmed.has(sector)).toBe(false);
          expect([...programmed].every((s) => s < sector)).toBe(true);
        } else programmed.add(sector);
      }
      const erases = media.log.filter((op) => op.kind === 'erase').length;
      expect(erases).toBe(Math.ceil(PAYLOAD.length / profile.sectorSize));
    }
  });

  it('the running bank is out of reach: no API takes a bank number, and the region guard refuses', () => {
    const media = chipFor(profile);
    const { inst } = ports(media, 0);
    const region = new InactiveRegion(inst.flash, inst.layout, inst.boot);
    expect(region.bank.index).toBe(1);
    for (const attempt of [
      () => region.eraseBankSector(-1),
      () => region.eraseBankSector(region.bank.sectorCount),
      () => region.programBank(-profile.writeAlign, new Uint8Array(profile.writeAlign)),
      () => region.programBank(region.bank.size, new Uint8Array(profile.writeAlign)),
      () => region.programMeta(region.bank.metaSize, new Uint8Array(profile.writeAlign)),
      () => region.eraseMetaSector(region.bank.metaSectorCount),
    ]) {
      expect(isOtaError(caught(attempt), 'STORAGE_RUNNING_BANK')).toBe(true);
    }
    expect(media.ops).toBe(0);
    const confused = { ...inst.boot, runningBank: () => 2 };
    expect(
      isOtaError(
        caught(() => BankWriter.begin({ flash: inst.flash, sha256: nobleSha256, boot: confused }, inst.layout, 100)),
        'STORAGE_RUNNING_BANK',
      ),
    ).toBe(true);
    const broken = {
      ...inst.boot,
      runningBank: (): number => {
        throw new Error('no answer');
      },
    };
    expect(
      isOtaError(
        caught(() => BankWriter.begin({ flash: inst.flash, sha256: nobleSha256, boot: broken }, inst.layout, 100)),
        'STORAGE_RUNNING_BANK',
      ),
    ).toBe(true);
  });

  it('a read-back that differs is STORAGE_VERIFY_MISMATCH, and the writer is then failed', () => {
    const media = chipFor(profile);
    const { inst } = ports(media, 0);
    let reads = -1_000_000;
    const flaky: Flash = {
      size: inst.flash.size,
      sectorSize: inst.flash.sectorSize,
      writeAlign: inst.flash.writeAlign,
      erasedValue: inst.flash.erasedValue,
      read: (o, into) => {
        inst.flash.read(o, into);
        if (++reads === 2 && into.length > 0) into[0] ^= 0x40;
      },
      erase: (s) => inst.flash.erase(s),
      program: (o, d) => inst.flash.program(o, d),
    };
    const w = BankWriter.begin({ flash: flaky, sha256: nobleSha256, boot: inst.boot }, inst.layout, PAYLOAD.length, {
      bufferSize: 64,
    });
    reads = 0; // from now on the second read-back comes back with one bit changed
    const err = caught(() => stream(w, PAYLOAD, 0, new Rng(1)));
    expect(isOtaError(err, 'STORAGE_VERIFY_MISMATCH')).toBe(true);
    expect(
      isOtaError(
        caught(() => w.write(w.offset, new Uint8Array(1))),
        'STORAGE_WRITER_STATE',
      ),
    ).toBe(true);
  });

  it('a flash port that throws becomes a typed error; an unexpected digest is refused', () => {
    const media = chipFor(profile);
    const { inst } = ports(media, 0);
    const failing: Flash = {
      ...inst.flash,
      read: inst.flash.read.bind(inst.flash),
      program: inst.flash.program.bind(inst.flash),
      erase: () => {
        throw new Error('erase timeout');
      },
    };
    Object.defineProperties(failing, {
      size: { value: inst.flash.size },
      sectorSize: { value: inst.flash.sectorSize },
      writeAlign: { value: inst.flash.writeAlign },
      erasedValue: { value: inst.flash.erasedValue },
    });
    const w = BankWriter.begin({ flash: failing, sha256: nobleSha256, boot: inst.boot }, inst.layout, PAYLOAD.length);
    expect(
      isOtaError(
        caught(() => stream(w, PAYLOAD, 0, new Rng(1))),
        'STORAGE_FLASH_ERASE',
      ),
    ).toBe(true);

    const { p } = ports(media, 0);
    const w2 = BankWriter.begin(p, inst.layout, PAYLOAD.length);
    stream(w2, PAYLOAD, 0, new Rng(2));
    const wrong = sha256(PAYLOAD);
    wrong[0] ^= 1;
    expect(
      isOtaError(
        caught(() => w2.finish(wrong)),
        'STORAGE_VERIFY_MISMATCH',
      ),
    ).toBe(true);
    expect(
      isOtaError(
        caught(() => BankWriter.begin(p, inst.layout, 16 * 1024 + 1)),
        'STORAGE_TOO_LARGE',
      ),
    ).toBe(true);
    const w3 = BankWriter.begin(p, inst.layout, 10);
    expect(
      isOtaError(
        caught(() => w3.write(1, new Uint8Array(2))),
        'STORAGE_WRITER_STATE',
      ),
    ).toBe(true);
  });

  it('resumes after a cut before or during any operation, never programs a byte twice, and ends with the payload', () => {
    // Clean run to count operations.
    const probeMedia = chipFor(profile);
    const { inst: probeInst, p: probe } = ports(probeMedia, 0);
    const start = probeMedia.ops;
    const pw = BankWriter.begin(probe, probeInst.layout, PAYLOAD.length, { bufferSize: 128 });
    stream(pw, PAYLOAD, 0, new Rng(5), () => {});
    pw.finish();
    const total = probeMedia.ops - start;
    let resumedMidSector = 0;
    let steppedBack = 0;
    for (let i = 0; i < total; i++) {
      for (const torn of [false, true]) {
        const media = chipFor(profile, undefined, 1000 + i);
        const { inst, p } = ports(media, 0);
        let recorded = 0;
        media.cutPowerAt(media.ops + i, { torn });
        const w = BankWriter.begin(p, inst.layout, PAYLOAD.length, { bufferSize: 128 });
        expect(() => {
          stream(w, PAYLOAD, 0, new Rng(5), (d) => (recorded = d));
          w.finish();
        }).toThrow();
        expect(inst.rail.alive).toBe(false);
        // Reboot: resume from the recorded offset, with an outside hash fed the bank's bytes.
        const { p: p2 } = ports(media, 0);
        const outside = nobleSha256.create();
        let stepBackTo = -1;
        const r = BankWriter.resume(p2, inst.layout, PAYLOAD.length, recorded, {
          hashInto: outside,
          bufferSize: 128,
          onStepBack: (o) => (stepBackTo = o),
        });
        expect(r.offset).toBeLessThanOrEqual(recorded);
        if (stepBackTo >= 0) expect(stepBackTo).toBe(r.offset);
        if (r.offset === recorded && recorded % profile.sectorSize !== 0) resumedMidSector++;
        if (r.offset < recorded) steppedBack++;
        outside.update(PAYLOAD.subarray(r.offset));
        stream(r, PAYLOAD, r.offset, new Rng(6), () => {});
        expect(r.finish(sha256(PAYLOAD))).toEqual(sha256(PAYLOAD));
        expect(outside.digest()).toEqual(sha256(PAYLOAD));
        expect(media.misuse).toEqual([]);
      }
    }
    // Both resume paths were exercised.
    expect(resumedMidSector).toBeGreaterThan(0);
    expect(steppedBack).toBeGreaterThan(0);
  });

  it('a step back is recorded before the sector is erased, so a second cut right after it is safe', () => {
    // First run: stop after the buffer of the second sector has been programmed but record only the first sector.
    const media = chipFor(profile);
    const { inst, p } = ports(media, 0);
    const w = BankWriter.begin(p, inst.layout, PAYLOAD.length, { bufferSize: 256 });
    const S = profile.sectorSize;
    stream(w, PAYLOAD.subarray(0, S + 1000), 0, new Rng(1));
    w.flush();
    const recorded = S + 512; // the journal vouches for [0, S + 512); bytes up to S + 1000 are programmed beyond it
    // Without a way to record the step back, resume refuses.
    const { p: p2 } = ports(media, 0);
    expect(
      isOtaError(
        caught(() => BankWriter.resume(p2, inst.layout, PAYLOAD.length, recorded)),
        'STORAGE_WRITER_STATE',
      ),
    ).toBe(true);
    let journal = recorded;
    const r = BankWriter.resume(p2, inst.layout, PAYLOAD.length, recorded, { onStepBack: (o) => (journal = o) });
    expect(r.offset).toBe(S);
    expect(journal).toBe(S);
    // Cut while the stepped-back sector is being erased and rewritten.
    media.cutPowerAt(media.ops + 1, { torn: true });
    expect(() => stream(r, PAYLOAD, r.offset, new Rng(2))).toThrow();
    const { p: p3 } = ports(media, 0);
    const r2 = BankWriter.resume(p3, inst.layout, PAYLOAD.length, journal, { onStepBack: (o) => (journal = o) });
    stream(r2, PAYLOAD, r2.offset, new Rng(3));
    expect(r2.finish(sha256(PAYLOAD))).toEqual(sha256(PAYLOAD));
    expect(media.misuse).toEqual([]);
  });

  it('begin invalidates a stale metadata record of the bank it writes', () => {
    const media = chipFor(profile);
    const { inst, p } = ports(media, 0);
    const meta = inst.layout.banks[1];
    media.bytes.fill(0x42, meta.metaOffset, meta.metaOffset + 64);
    BankWriter.begin(p, inst.layout, 100);
    expect(media.peek(meta.metaOffset, 64).every((b) => b === profile.erasedValue)).toBe(true);
    expect(media.eraseCount[meta.metaFirstSector]).toBe(1);
  });
});
