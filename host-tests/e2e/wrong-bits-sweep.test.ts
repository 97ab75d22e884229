/**
 * The whole update — the real agent, the emulated CH, the real verifier — with one program
 * that reports success but leaves wrong bits (FlashMedia.silentProgramAt), at every program
 * operation of the update in turn (bootloader and journal writes included), on both flash
 * profiles. On the 0xFF part the wrong bits read back as they are; on the ECC part two wrong
 * bits make the word raise a read fault. Only a read-back (or a later read) can see the lie,
 * so this is the sweep that shows the order of body, commit word and read-back.
 *
 * One silent program is a passing fault, like one power cut: every run must end confirmed,
 * and after two more power cycles the sweep's oracles (sweep-oracles.ts) hold with the fault
 * counted as one cut: no flash misuse, boot record confirmed with the floor and fallback, no
 * progress or ARMED record left, activation success reported exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { StorageLayout } from '../../device/storage/layout.js';
import { FLASH_PROFILES, type FlashOpRecord, type FlashProfile } from '../../sim/sim-flash.js';
import { traceUpdateWorld, type WorldOptions } from '../../sim/update-world.js';
import { FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';
import { ACTIVE_BANK_AFTER_UPDATE, updateFault } from './sweep-oracles.js';

/** Two power cycles of the idle device after each run: a report sent again at every boot shows. */
const AFTER = { reboots: 2 };

/** Which part of the layout a program touched, for the sweep's summary. */
function areaOf(layout: StorageLayout, offset: number): string {
  const sector = Math.floor(offset / layout.sectorSize);
  if (layout.bootSectors.includes(sector)) return 'boot-record';
  if (layout.journalSectors.includes(sector)) return 'journal';
  if (layout.keptSectors.includes(sector)) return 'kept-record';
  for (const b of layout.banks) {
    if (offset >= b.metaOffset && offset < b.metaOffset + b.metaSize) return `metadata-${b.index}`;
    if (offset >= b.offset && offset < b.offset + b.size) return `bank-${b.index}`;
  }
  return 'other';
}

function sweep(profile: FlashProfile): void {
  const image = signedImage(24_000, { seed: 13 });
  const options: WorldOptions = {
    image: image.file,
    trustStore: pki().trustStore,
    currentVersion: FROM_VERSION,
    hardwareVersion: HARDWARE_VERSION,
    battery: false,
    loss: 0,
    powerCuts: 0,
    seed: 23,
  };
  const started = performance.now();
  let log: FlashOpRecord[] = [];
  const clean = traceUpdateWorld({ ...options, onWorld: (w) => (w.media.log = log) }, [], undefined, profile, AFTER);
  expect(clean.outcome).toBe('confirmed');
  expect(
    updateFault(clean, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: 0 }),
  ).toBeUndefined();
  // Every program from power-on to the last power cycle: the update's, the bootloader's and the clean-up after it.
  const programs = log.filter((op) => op.kind === 'program' && op.index >= clean.firstOp);
  const failures: string[] = [];
  const areas = new Map<string, number>();
  for (const op of programs) {
    const area = areaOf(clean.layout, op.offset);
    areas.set(area, (areas.get(area) ?? 0) + 1);
    log = [];
    const r = traceUpdateWorld(
      {
        ...options,
        onWorld: (w) => {
          w.media.log = log;
          w.media.silentProgramAt(op.index);
        },
      },
      [],
      undefined,
      profile,
      AFTER,
    );
    const label = `program op ${op.index - clean.firstOp} (${area})`;
    if (!log.some((x) => x.silent)) failures.push(`${label}: the wrong-bits program never happened`);
    else if (r.bricked) failures.push(`${label}: bricked`);
    else if (r.outcome !== 'confirmed') failures.push(`${label}: ended ${r.outcome}`);
    else {
      const f = updateFault(r, { from: FROM_VERSION, to: TO_VERSION, newBank: ACTIVE_BANK_AFTER_UPDATE, cuts: 1 });
      if (f) failures.push(`${label}: ${f}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `wrong-bits sweep over the whole update (${profile.name}): ${programs.length} runs, one per program operation ` +
      `(${[...areas].map(([k, v]) => `${k}=${v}`).join(' ')}); ${seconds.toFixed(1)} s`,
  );
  expect(failures).toEqual([]);
  expect(programs.length).toBeGreaterThanOrEqual(100);
  expect(areas.get('journal')).toBeGreaterThan(0);
  expect(areas.get('boot-record')).toBeGreaterThan(0);
}

describe('wrong-bits sweep over the whole update', () => {
  for (const profile of FLASH_PROFILES) {
    it(`${profile.name}: a program that reports success with wrong bits, at every program operation of the update, still ends confirmed with the sweep's oracles`, () =>
      sweep(profile));
  }
});
