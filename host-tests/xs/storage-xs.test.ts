/**
 * The XS lane for device/storage: seeded power cuts inside the real XS engine, covering
 * bank erase, bank program, journal append, journal rotation and boot-record writes (the
 * bootloader's included), on both flash profiles. Bank bytes are hashed here, on Node.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { bundleForXs, XsWorker, type XsMeter } from './xsnap-worker.js';

let xs: XsWorker;
const meters: { name: string; meter: XsMeter }[] = [];

async function run<T>(name: string, args: unknown, label = name): Promise<T> {
  const { meter, result } = await xs.call<{ ok: boolean; value: T; error?: string }>({ name, args });
  meters.push({ name: label, meter });
  if (!result.ok) throw new Error(`XS case ${name} failed: ${result.error}`);
  return result.value;
}

const sha = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

interface Summary {
  ends: string[];
  lastError: string | null;
  cutAfterActivation: boolean;
  bootedBank: number;
  bankHexNewLength: string;
  bankHexOldLength: string;
  misuse: string[];
  anchorsKept: boolean;
  countersKept: boolean;
  progressCleared: boolean;
  floor: number;
  refusedHex: string;
  cutFired?: boolean;
}

const CATEGORIES = ['bank-erase', 'bank-program', 'journal-append', 'journal-rotation', 'boot-record'] as const;
const PER_CATEGORY = 3;

beforeAll(async () => {
  xs = await XsWorker.start(await bundleForXs('host-tests/xs/entries/storage.entry.ts'));
});

afterAll(async () => {
  await xs?.close();
  let compute = 0;
  for (const { meter } of meters) compute += meter.compute;
  const clean = meters.filter((m) => m.name.startsWith('cleanRun'));
  for (const m of clean)
    console.log(
      `XS meter ${m.name}: compute=${m.meter.compute} heapSlots=${m.meter.currentHeapCount} allocate=${m.meter.allocate}`,
    );
  console.log(`XS meter storage lane: ${meters.length} calls, compute total=${compute}`);
});

describe.each(FLASH_PROFILES)('storage power cuts inside XS on $name', (profile) => {
  it(`${CATEGORIES.length * PER_CATEGORY} seeded cuts across every kind of write end on the old or the new image`, async () => {
    const t0 = performance.now();
    const payloads = await run<{ oldHex: string; newHex: string; oldVersion: number; newVersion: number }>('payloads', {
      profile: profile.name,
    });
    const newSha = sha(payloads.newHex);
    const oldSha = sha(payloads.oldHex);
    const check = (s: Summary, label: string): 'old' | 'new' => {
      expect(s.lastError, label).toBeNull();
      expect(s.ends[s.ends.length - 1], label).toBe('idle');
      expect(s.misuse, label).toEqual([]);
      expect(s.anchorsKept && s.countersKept && s.progressCleared, `${label}: journal`).toBe(true);
      const which = sha(s.bankHexNewLength) === newSha ? 'new' : sha(s.bankHexOldLength) === oldSha ? 'old' : undefined;
      expect(which, `${label}: booted bank holds neither payload`).toBeDefined();
      if (which === 'old') {
        expect(s.cutAfterActivation, `${label}: abandoned before activation`).toBe(true);
        expect(s.floor, label).toBe(payloads.oldVersion);
        expect(s.refusedHex, label).toBe(newSha);
      } else expect(s.floor, label).toBe(payloads.newVersion);
      return which!;
    };

    const clean = await run<Summary & { n: number; categories: string[] }>(
      'cleanRun',
      { profile: profile.name },
      `cleanRun ${profile.name}`,
    );
    expect(check(clean, 'clean')).toBe('new');
    // Seeded picks: PER_CATEGORY operations of each category, spread over its occurrences.
    const picks: { at: number; category: string; torn: boolean }[] = [];
    for (const category of CATEGORIES) {
      const indexes = clean.categories.map((c, i) => (c === category ? i : -1)).filter((i) => i >= 0);
      expect(indexes.length, `clean run has ${category} operations`).toBeGreaterThan(0);
      for (let k = 0; k < PER_CATEGORY; k++) {
        const at = indexes[Math.floor(((k + 0.5) * indexes.length) / PER_CATEGORY)];
        picks.push({ at, category, torn: k % 2 === 1 });
      }
    }
    const ends = { old: 0, new: 0 };
    for (const [i, pick] of picks.entries()) {
      const s = await run<Summary>(
        'cutRun',
        { profile: profile.name, at: pick.at, torn: pick.torn, seed: 7 + i },
        `cutRun ${profile.name}`,
      );
      const label = `${profile.name} ${pick.torn ? 'torn' : 'clean'} cut at op ${pick.at} (${pick.category})`;
      expect(s.cutFired, label).toBe(true);
      ends[check(s, label)]++;
    }
    expect(picks.length).toBeGreaterThanOrEqual(15);
    console.log(
      `XS storage ${profile.name}: N=${clean.n}, ${picks.length} cuts (${CATEGORIES.map((c) => `${c}×${PER_CATEGORY}`).join(', ')}), ` +
        `ended new=${ends.new} old=${ends.old}, wall ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  });
});

describe.each(FLASH_PROFILES)('faults of real parts inside XS on $name', (profile) => {
  it('a damaged confirmed bank boots the fallback; both boot-record copies and the journal header damaged still boot a bank that verifies and keep the trust anchors', async () => {
    const r = await run<{
      first: string[];
      fallback: { kind: string; bank?: number; row: number };
      fallbackEvent: string | null;
      rebuilt: { kind: string; bank?: number; row: number };
      rebuiltEvent: string | null;
      anchorsFromJournal: boolean;
      anchorsFromKept: boolean;
      misuse: string[];
    }>('faults', { profile: profile.name }, `faults ${profile.name}`);
    expect(r.first).toEqual(['restart', 'confirmed', 'idle']);
    expect(r.fallback).toMatchObject({ kind: 'boot', bank: 0, row: 7 });
    expect(r.fallbackEvent).toBe('fell-back');
    expect(r.rebuilt).toMatchObject({ kind: 'boot', bank: 0, row: 1 });
    expect(r.rebuiltEvent).toBe('rebuilt');
    expect(r.anchorsFromJournal).toBe(true);
    expect(r.anchorsFromKept).toBe(true);
    expect(r.misuse).toEqual([]);
  });
});
