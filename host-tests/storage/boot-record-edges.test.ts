/**
 * Boot-control record edges the scenario tests do not reach: each boot event through the
 * codec, the slot at offset 64 for every state, records whose CRC is right but whose
 * content is not (short, wrong magic, impossible banks), which copy stands when only one is
 * valid, and the bounded write retries.
 */
import { describe, expect, it } from 'vitest';
import { OtaError } from '../../device/errors.js';
import {
  BOOT_RECORD_SIZE,
  decodeBootRecord,
  encodeBootRecord,
  NO_BANK,
  readBootRecord,
  readBootRecordCopies,
  writeBootRecord,
  type BootRecord,
} from '../../device/storage/boot-record.js';
import { writeU32 } from '../../device/util/bytes.js';
import { crc32 } from '../../device/util/crc32.js';
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';

const digest = (v: number) => new Uint8Array(32).fill(v);
const confirmed: BootRecord = {
  seq: 1,
  state: 'confirmed',
  trialBootsLeft: 0,
  floor: 0x10000,
  trialWindowSeconds: 300,
  confirmed: { bank: 0, version: 0x20000, length: 100, digest: digest(2) },
  fallback: { bank: 1, version: 0x10000, length: 90, digest: digest(1) },
};

/** `bytes` with its CRC made right again after an edit. */
function resealed(bytes: Uint8Array): Uint8Array {
  writeU32(bytes, 144, crc32(bytes, 0, 144));
  return bytes;
}

describe('boot record codec edges', () => {
  it('each boot event survives the codec; none is none', () => {
    for (const event of ['fell-back', 'rebuilt', undefined] as const) {
      const back = decodeBootRecord(encodeBootRecord({ ...confirmed, event }));
      expect(back?.event).toBe(event);
    }
    expect(encodeBootRecord({ ...confirmed, event: 'fell-back' })[11]).not.toBe(
      encodeBootRecord({ ...confirmed, event: 'rebuilt' })[11],
    );
  });

  it('offset 64 holds the trial slot only in a trial record, the fallback only in a confirmed one, and only in the other bank', () => {
    const trialSlot = { bank: 1, version: 0x30000, length: 10, digest: digest(3) };
    // A confirmed record never carries a trial slot, even if one is passed.
    expect(
      decodeBootRecord(encodeBootRecord({ ...confirmed, fallback: undefined, trial: trialSlot }))?.fallback,
    ).toBeUndefined();
    // A trial record without its trial slot is not a record, even with a fallback passed.
    expect(decodeBootRecord(encodeBootRecord({ ...confirmed, state: 'trial', trialBootsLeft: 1 }))).toBeUndefined();
    // A fallback in the confirmed bank is not written.
    const same = encodeBootRecord({ ...confirmed, fallback: { ...confirmed.fallback!, bank: 0 } });
    expect(same[64]).toBe(NO_BANK);
    expect(decodeBootRecord(same)?.fallback).toBeUndefined();
  });

  it('a record with a right CRC but wrong content does not decode: short, wrong magic, impossible trial bank; a fallback slot naming the confirmed bank is dropped', () => {
    const good = encodeBootRecord(confirmed);
    expect(decodeBootRecord(good.subarray(0, BOOT_RECORD_SIZE - 1))).toBeUndefined();
    const magic = good.slice();
    magic[0] ^= 1;
    expect(decodeBootRecord(resealed(magic))).toBeUndefined();
    const trial = encodeBootRecord({
      ...confirmed,
      state: 'trial',
      trialBootsLeft: 1,
      fallback: undefined,
      trial: { bank: 1, version: 0x30000, length: 10, digest: digest(3) },
    });
    expect(decodeBootRecord(trial)?.trial?.bank).toBe(1);
    const bank2 = trial.slice();
    bank2[64] = 2;
    expect(decodeBootRecord(resealed(bank2))).toBeUndefined();
    const fallbackHere = good.slice();
    fallbackHere[64] = 0;
    const decoded = decodeBootRecord(resealed(fallbackHere));
    expect(decoded?.confirmed.bank).toBe(0);
    expect(decoded?.fallback).toBeUndefined();
  });
});

describe('boot record copies', () => {
  it('when only copy B is valid it stands; when neither is, none stands (copy 0 is written next) and reading names why', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    writeBootRecord(flash, layout, confirmed);
    writeBootRecord(flash, layout, { ...confirmed, floor: 0x20000 });
    media.flipBits(layout.bootSectors[0] * layout.sectorSize + 20, 0x01);
    const onlyB = readBootRecordCopies(flash, layout);
    expect(onlyB.copies[0]).toBeUndefined();
    expect(onlyB.currentCopy).toBe(1);
    expect(onlyB.current?.floor).toBe(0x20000);
    media.flipBits(layout.bootSectors[1] * layout.sectorSize + 20, 0x01);
    const none = readBootRecordCopies(flash, layout);
    expect(none).toEqual({ currentCopy: 0, copies: [undefined, undefined] });
    let error: unknown;
    try {
      readBootRecord(flash, layout);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OtaError);
    expect((error as OtaError).message).toBe('BOOT_RECORD_CORRUPT: neither boot-control copy is valid');
  });

  it('a write whose first program lies is done again and stands; a worn copy is tried exactly three times, then STORAGE_FLASH_WRITE', () => {
    const media = chipFor(NOR_FF_ALIGN4);
    const { flash, layout } = instance(media, 0);
    media.silentProgramAt(media.ops + 1);
    expect(writeBootRecord(flash, layout, confirmed).seq).toBe(1);
    expect(readBootRecord(flash, layout).fallback?.version).toBe(0x10000);
    const target = layout.bootSectors[1];
    media.wearOut(target, 'program-throws');
    const before = media.eraseCount[target];
    let error: unknown;
    try {
      writeBootRecord(flash, layout, { ...confirmed, floor: 0x20000 });
    } catch (e) {
      error = e;
    }
    expect((error as OtaError).code).toBe('STORAGE_FLASH_WRITE');
    // The port's own words reach the caller: which sector failed, and how.
    expect((error as OtaError).message).toContain('worn sector');
    expect(media.eraseCount[target] - before).toBe(3);
    expect(readBootRecord(flash, layout).floor).toBe(0x10000);
  });
});
