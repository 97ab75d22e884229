/**
 * Power-cut sweep over one credential replacement, mcuboot style: count the flash
 * operations N of a clean replacement on the emulated device, then replay it cutting the
 * power before operation i, and tearing operation i, for every i < N, on both flash
 * profiles; for a set small enough for the journal's copy and a full four-cell set (whose
 * journal copy is cleared), each with the journal fresh and nearly full (so the copy's
 * write also rotates it). After each cut the device reboots: the credentials on flash and
 * in force are the old set or the new one, whole (cells and counter together), never
 * neither, never a mix; the journal's copy is brought in line; and the device goes on (the
 * command again is applied, or refused as the replay it is).
 */
import { describe, expect, it } from 'vitest';
import { loadCredentials, persistCredentials } from '../../device/agent/credential-store.js';
import { readTrustAnchors } from '../../device/storage/journal-records.js';
import { JOURNAL_MAX_BODY } from '../../device/storage/journal.js';
import type { TrustStore } from '../../device/pki/api.js';
import { readCredentials } from '../../device/pki/credential-readout.js';
import { createTrustStore, encodeTrustStore } from '../../device/pki/trust-store.js';
import { toHex } from '../../device/util/bytes.js';
import { Journal } from '../../device/storage/journal.js';
import { World } from '../../sim/world.js';
import { PowerRail } from '../../sim/power-rail.js';
import { FLASH_PROFILES, type FlashProfile } from '../../sim/sim-flash.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION } from '../e2e/e2e-fixture.js';
import { command, fullStore, organisationCert, pki } from './credential-fixture.js';

const COUNTER = 42;
const INCOMING = organisationCert('Supplier 3');

type SetSize = 'small' | 'full';

/** The set the device is provisioned with: small enough for the journal's copy, or all four cells (too large for it). */
function provisioned(size: SetSize): TrustStore {
  const p = pki();
  return size === 'full'
    ? fullStore()
    : createTrustStore(p.manufacturerRoot.der, {
        root: p.smkiRoot.der,
        recovery: p.recovery.der,
        supplier1: p.supplier1.der,
      });
}

const CMD = () => command('supplier1', 'recovery', COUNTER, INCOMING.der);

/** A vendor record type the agent does not use: fills the journal so that the replacement's write rotates it. */
const FILLER_TYPE = 99;

function prepared(profile: FlashProfile, set: SetSize, full: boolean): World {
  const w = new World({
    seed: 3,
    trust: provisioned(set),
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 16 * 1024,
    flash: profile,
    server: { upgradeTime: 0 },
  });
  const probe = w.media.attach(new PowerRail());
  // The factory writes the provisioned set, so a lost record could not pass for the old set.
  persistCredentials(probe, w.layout, provisioned(set));
  if (full) {
    const journal = Journal.open(probe, w.layout);
    const bytes = encodeTrustStore(provisioned(set)).length;
    const size = bytes <= JOURNAL_MAX_BODY ? bytes : 0;
    // A record of body L takes L + 16 to L + 32 bytes (header, CRC, commit word, padding): leave less room than the copy needs.
    for (let i = 0; i < 500 && journal.stats().freeBytes >= size + 16; i++) {
      journal.append(
        FILLER_TYPE,
        new Uint8Array(Math.min(128, Math.max(1, journal.stats().freeBytes - size - 15))).fill(0x5a),
      );
    }
  }
  expect(w.run(() => w.current?.alive === true && w.current.agent.ctx.state === 'idle')).toBe(true);
  return w;
}

/** 'old' or 'new': what the credential record holds and what the rebooted agent has in force, which must agree. */
function settled(w: World, set: SetSize, label: string): 'old' | 'new' {
  const probe = w.media.attach(new PowerRail());
  const onFlash = loadCredentials(probe, w.layout);
  expect(onFlash, `${label}: no credential record`).toBeDefined();
  const bytes = toHex(encodeTrustStore(onFlash!));
  const old = provisioned(set);
  const expectedNew = { ...old, cells: { ...old.cells, supplier1: INCOMING.der }, counter: COUNTER };
  const which =
    bytes === toHex(encodeTrustStore(old)) ? 'old' : bytes === toHex(encodeTrustStore(expectedNew)) ? 'new' : undefined;
  expect(which, `${label}: the record holds neither the old set nor the new one`).toBeDefined();
  const inForce = which === 'old' ? old : expectedNew;
  expect(w.current!.agent.credentials(), label).toEqual(readCredentials(inForce));
  // The journal's copy agrees with the set in force (the rebooted agent mended it), or is cleared when the set is too large for it.
  const copy = readTrustAnchors(Journal.open(probe, w.layout));
  const encoded = encodeTrustStore(inForce);
  expect(toHex(copy ?? new Uint8Array()), `${label}: journal copy`).toBe(
    encoded.length <= JOURNAL_MAX_BODY ? toHex(encoded) : '',
  );
  expect(
    w.current!.agent.recentErrors.filter((c) => c.startsWith('CRED_')),
    label,
  ).toEqual([]);
  expect(w.media.misuse, label).toEqual([]);
  return which!;
}

describe.each(FLASH_PROFILES)('credential replacement power-cut sweep on $name', (profile) => {
  it('every flash operation of a replacement cut, clean and torn: the old set or the new one, never neither, never a mix', () => {
    const idle = (w: World) => w.current?.alive === true && w.current.agent.ctx.state === 'idle';
    for (const [set, full] of [
      ['small', false],
      ['small', true],
      ['full', false],
      ['full', true],
    ] as const) {
      const clean = prepared(profile, set, full);
      const before = clean.media.ops;
      expect(clean.current!.credentialCommand(CMD())).toBe(0);
      const N = clean.media.ops - before;
      expect(N, 'a replacement writes flash').toBeGreaterThan(2);
      expect(settled(clean, set, 'clean run')).toBe('new');
      const ends = { old: 0, new: 0 };
      for (let i = 0; i < N; i++) {
        for (const torn of [false, true]) {
          const label = `${profile.name} ${set} set, ${full ? 'rotating' : 'fresh'} journal, ${torn ? 'torn' : 'clean'} cut at op ${i}/${N}`;
          const w = prepared(profile, set, full);
          w.media.cutPowerAt(w.media.ops + i, { torn });
          w.current!.credentialCommand(CMD());
          expect(w.media.cutFired, label).toBe(true);
          expect(w.current!.alive, label).toBe(false);
          expect(
            w.run(() => idle(w), 50_000),
            label,
          ).toBe(true);
          const which = settled(w, set, label);
          ends[which]++;
          // The device goes on: the same command is applied now, or refused as the replay it is.
          expect(w.current!.credentialCommand(CMD()), label).toBe(which === 'old' ? 0 : 127);
          expect(settled(w, set, `${label}, after the command again`)).toBe('new');
        }
      }
      expect(ends.old + ends.new).toBe(2 * N);
      expect(ends.old, 'a cut before the commit leaves the old set').toBeGreaterThan(0);
      expect(ends.new, 'a cut after the commit (in the journal copy) leaves the new set').toBeGreaterThan(0);
      console.log(
        `credential sweep ${profile.name}, ${set} set, ${full ? 'rotating' : 'fresh'} journal: N=${N} operations, ${2 * N} cut runs, ended old=${ends.old} new=${ends.new}`,
      );
    }
  });
});
