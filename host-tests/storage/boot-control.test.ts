/**
 * The agent's side of the boot-control contract, one rule at a time on records written by
 * hand: provisioning once, how a boot looks (confirmed, trial, inconsistent), the floor and
 * refusal rules at their edges, activation's checks with their messages, what confirmation
 * keeps, boot events acknowledged with one write, and a released fallback raising the floor.
 */
import { describe, expect, it } from 'vitest';
import {
  acknowledgeBootEvent,
  activateTrial,
  bootEvent,
  bootStatus,
  confirmTrial,
  isRefused,
  mayWriteInactive,
  provisionBootRecord,
  releaseFallback,
} from '../../device/storage/boot-control.js';
import { readBootRecord, writeBootRecord, type BootRecord } from '../../device/storage/boot-record.js';
import { NOR_FF_ALIGN4 } from '../../sim/sim-flash.js';
import { chipFor, instance } from '../../sim/storage-rig.js';
import { refusal } from '../util/refusal.js';

const digest = (n: number) => new Uint8Array(32).fill(n);
const V1 = 0x10000;
const V2 = 0x20000;
const V3 = 0x30000;

function confirmedOn(bank: 0 | 1, extra: Partial<BootRecord> = {}): BootRecord {
  return {
    seq: 1,
    state: 'confirmed',
    trialBootsLeft: 0,
    floor: V1,
    trialWindowSeconds: 0,
    confirmed: { bank, version: V2, length: 1000, digest: digest(2) },
    ...extra,
  };
}

function trialOf(version: number, extra: Partial<BootRecord> = {}): BootRecord {
  return confirmedOn(0, {
    state: 'trial',
    trialBootsLeft: 1,
    trialWindowSeconds: 600,
    trial: { bank: 1, version, length: 2000, digest: digest(3) },
    ...extra,
  });
}

function rig(running: number, record?: BootRecord) {
  const media = chipFor(NOR_FF_ALIGN4);
  const dev = instance(media, running);
  if (record) writeBootRecord(dev.flash, dev.layout, record);
  const ports = { flash: dev.flash, boot: dev.boot };
  const bootErases = () => media.eraseCount[0] + media.eraseCount[1];
  return { media, ...dev, ports, bootErases };
}

describe('provisioning', () => {
  it('writes the first record once, confirmed with the image as floor by default, and refuses a second', () => {
    const { flash, layout } = rig(0);
    const image = { bank: 0 as const, version: V2, length: 1000, digest: digest(2) };
    const written = provisionBootRecord(flash, layout, image);
    expect(written).toEqual(readBootRecord(flash, layout));
    expect(written.state).toBe('confirmed');
    expect(written.floor).toBe(V2);
    // The record returned is what was written, whatever the caller does with its buffer next.
    image.digest.fill(0);
    expect(written.confirmed.digest).toEqual(digest(2));
    expect(refusal(() => provisionBootRecord(flash, layout, image, V1)).message).toBe(
      'BOOT_STATE: a boot-control record already exists',
    );
    const other = rig(0);
    expect(provisionBootRecord(other.flash, other.layout, { ...image, digest: digest(2) }, V1).floor).toBe(V1);
  });
});

describe('how a boot looks', () => {
  it('confirmed, trial or inconsistent, by the record and the running bank', () => {
    expect(bootStatus(rig(0, confirmedOn(0)).ports, rig(0).layout).kind).toBe('confirmed');
    const cases: [number, BootRecord, string, boolean][] = [
      [0, confirmedOn(0), 'confirmed', true],
      // The confirmed image is in bank 1 but bank 0 runs.
      [0, confirmedOn(1), 'inconsistent', false],
      [1, trialOf(V3), 'trial', false],
      // A trial is pending but has not booted: the confirmed image runs.
      [0, trialOf(V3), 'inconsistent', false],
    ];
    for (const [running, record, kind, mayWrite] of cases) {
      const r = rig(running, record);
      expect(bootStatus(r.ports, r.layout).kind, `${kind} on ${running}`).toBe(kind);
      expect(mayWriteInactive(r.ports, r.layout), `${kind} on ${running}`).toBe(mayWrite);
    }
  });

  it('a running-bank port that throws is STORAGE_RUNNING_BANK naming what it threw', () => {
    const r = rig(0, confirmedOn(0));
    for (const [thrown, words] of [
      [new Error('no register'), 'no register'],
      ['busy', 'busy'],
      [undefined, 'undefined'],
    ] as const) {
      const boot = {
        runningBank: (): number => {
          throw thrown;
        },
        restart() {},
      };
      expect(refusal(() => bootStatus({ flash: r.flash, boot }, r.layout)).message).toBe(
        `STORAGE_RUNNING_BANK: running bank unknown: ${words}`,
      );
    }
  });
});

describe('refusal rules', () => {
  it('the floor itself is allowed, one below is refused; a reverted digest or an older version is refused', () => {
    const record = confirmedOn(0, { floor: V2, refused: { version: V3, digest: digest(9) } });
    const floorOnly = confirmedOn(0, { floor: V2 });
    expect(isRefused(floorOnly, V2 - 1, digest(1))).toBe(true);
    expect(isRefused(floorOnly, V2, digest(1))).toBe(false);
    expect(isRefused(record, V3 - 1, digest(1))).toBe(true);
    // The reverted version rebuilt (another digest) may be tried; the same digest never.
    expect(isRefused(record, V3, digest(1))).toBe(false);
    expect(isRefused(record, V3, digest(9))).toBe(true);
    expect(isRefused(record, V3 + 1, digest(9))).toBe(true);
    expect(isRefused(floorOnly, V2, digest(9))).toBe(false);
  });
});

describe('activation', () => {
  const image = (version: number, d = digest(3)) => ({ version, length: 2000, digest: d });

  it('is refused, before any write, from a boot that is not confirmed, below the floor, after a revert, or with a bad digest or boot count', () => {
    const base = confirmedOn(0, { floor: V2, refused: { version: V3, digest: digest(9) } });
    const cases: [number, BootRecord, Parameters<typeof activateTrial>[2], object | undefined, string][] = [
      [0, confirmedOn(1), image(V3), undefined, 'BOOT_STATE: cannot activate from a inconsistent boot'],
      [1, trialOf(V3), image(V3), undefined, 'BOOT_STATE: cannot activate from a trial boot'],
      [0, base, image(V2 - 1), undefined, `BOOT_BELOW_FLOOR: version ${V2 - 1} is below the floor ${V2}`],
      [0, base, image(V3, digest(9)), undefined, 'BOOT_IMAGE_REFUSED: this image was reverted before'],
      [0, base, image(V3, new Uint8Array(31)), undefined, 'BOOT_STATE: digest must be 32 bytes'],
      [0, base, image(V3), { trialBoots: 0 }, 'BOOT_STATE: trial boots 0'],
      [0, base, image(V3), { trialBoots: 256 }, 'BOOT_STATE: trial boots 256'],
      [0, base, image(V3), { trialBoots: 1.5 }, 'BOOT_STATE: trial boots 1.5'],
    ];
    for (const [running, record, img, options, words] of cases) {
      const r = rig(running, record);
      const before = r.bootErases();
      expect(refusal(() => activateTrial(r.ports, r.layout, img, options)).message).toBe(words);
      expect(r.bootErases()).toBe(before);
    }
  });

  it('at the floor, with 1 to 255 trial boots, writes a trial in the inactive bank without fallback or event', () => {
    const record = confirmedOn(0, {
      floor: V2,
      event: 'fell-back',
      fallback: { bank: 1, version: V1, length: 900, digest: digest(1) },
    });
    const r = rig(0, record);
    const d = digest(3);
    const written = activateTrial(r.ports, r.layout, { version: V2, length: 2000, digest: d });
    expect(written).toEqual(readBootRecord(r.flash, r.layout));
    expect(written.state).toBe('trial');
    expect(written.trial).toEqual({ bank: 1, version: V2, length: 2000, digest: digest(3) });
    expect(written.trialBootsLeft).toBe(1);
    expect(written.trialWindowSeconds).toBe(600);
    expect(written.fallback).toBeUndefined();
    expect(written.event).toBeUndefined();
    // The caller's digest buffer is not the record's.
    d.fill(0);
    expect(written.trial?.digest).toEqual(digest(3));
    const most = rig(0, confirmedOn(0));
    const w = activateTrial(
      most.ports,
      most.layout,
      { version: V3, length: 1, digest: digest(4) },
      { trialBoots: 255, trialWindowSeconds: 30 },
    );
    expect(w.trialBootsLeft).toBe(255);
    expect(w.trialWindowSeconds).toBe(30);
  });
});

describe('confirmation', () => {
  it('only from a running trial', () => {
    const r = rig(0, confirmedOn(0));
    expect(refusal(() => confirmTrial(r.ports, r.layout)).message).toBe(
      'BOOT_STATE: cannot confirm from a confirmed boot',
    );
  });

  it('keeps a refusal of the same or a higher version than the one confirmed, and clears an older one', () => {
    const cases: [number, number, boolean][] = [
      // [refused version, confirmed trial version, refusal kept]
      [V3, V3, true],
      [V3 + 1, V3, true],
      [V3 - 1, V3, false],
    ];
    for (const [refusedVersion, version, kept] of cases) {
      const refused = { version: refusedVersion, digest: digest(9) };
      const r = rig(1, trialOf(version, { refused }));
      const written = confirmTrial(r.ports, r.layout);
      expect(written.refused, `refused ${refusedVersion}, confirmed ${version}`).toEqual(kept ? refused : undefined);
      expect(readBootRecord(r.flash, r.layout).refused).toEqual(kept ? refused : undefined);
      expect(written.fallback?.bank).toBe(0);
    }
  });
});

describe('boot events', () => {
  it('are read, and acknowledged with one write; with no event, acknowledging writes nothing', () => {
    const r = rig(0, confirmedOn(0, { event: 'rebuilt' }));
    expect(bootEvent(r.ports, r.layout)).toBe('rebuilt');
    const before = r.bootErases();
    acknowledgeBootEvent(r.ports, r.layout);
    expect(r.bootErases()).toBe(before + 1);
    expect(bootEvent(r.ports, r.layout)).toBeUndefined();
    const record = readBootRecord(r.flash, r.layout);
    expect(record).toEqual({ ...confirmedOn(0), seq: 2 });
    acknowledgeBootEvent(r.ports, r.layout);
    expect(r.bootErases()).toBe(before + 1);
  });
});

describe('releasing the fallback', () => {
  it('writes the record without it and the floor raised to the running version; nothing when it names another bank or none', () => {
    const fallback = { bank: 1 as const, version: V1, length: 900, digest: digest(1) };
    const r = rig(0, confirmedOn(0, { fallback }));
    const before = r.bootErases();
    releaseFallback(r.flash, r.layout, 0);
    expect(r.bootErases()).toBe(before);
    releaseFallback(r.flash, r.layout, 1);
    expect(r.bootErases()).toBe(before + 1);
    const record = readBootRecord(r.flash, r.layout);
    expect(record.fallback).toBeUndefined();
    expect(record.floor).toBe(V2);
    // Without a fallback (or without any record) there is nothing to release.
    releaseFallback(r.flash, r.layout, 1);
    expect(r.bootErases()).toBe(before + 1);
    const blank = rig(0);
    releaseFallback(blank.flash, blank.layout, 1);
    expect(blank.bootErases()).toBe(0);
    // A floor already above the running version stays.
    const high = rig(0, confirmedOn(0, { fallback, floor: V3 }));
    releaseFallback(high.flash, high.layout, 1);
    expect(readBootRecord(high.flash, high.layout).floor).toBe(V3);
  });
});
