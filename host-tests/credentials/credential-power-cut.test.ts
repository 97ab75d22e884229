/**
 * Power-cut sweep over one credential replacement, mcuboot style: count the flash
 * operations N of a clean replacement on the emulated device, then replay it cutting the
 * power before operation i, and tearing operation i, for every i < N, on both flash
 * profiles, with the credential record's area fresh and nearly full (so the write also
 * rotates it). After each cut the device reboots: the credentials on flash and in force are
 * the old set or the new one, whole (cells and counter together), never neither, never a
 * mix; and the device goes on (the command again is applied, or refused as a replay).
 */
import { describe, expect, it } from 'vitest';
import { loadCredentials, persistCredentials } from '../../device/agent/credential-store.js';
import type { TrustStore } from '../../device/pki/api.js';
import { readCredentials } from '../../device/pki/credential-readout.js';
import { createTrustStore, encodeTrustStore } from '../../device/pki/trust-store.js';
import { toHex } from '../../device/util/bytes.js';
import { Journal } from '../../device/storage/journal.js';
import { AgentWorld } from '../harness/agent-world.js';
import { PowerRail } from '../harness/power-rail.js';
import { FLASH_PROFILES, type FlashProfile } from '../harness/sim-flash.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION } from '../e2e/e2e-fixture.js';
import { command, organisationCert, pki } from './credential-fixture.js';

const COUNTER = 42;
const INCOMING = organisationCert('Supplier 3');

/** The set the device is provisioned with: what fits every flash profile's credential record. */
function provisioned(): TrustStore {
  const p = pki();
  return createTrustStore(p.manufacturerRoot.der, { root: p.smkiRoot.der, supplier1: p.supplier1.der });
}

const CMD = () => command('supplier1', 'supplier1', COUNTER, INCOMING.der);

/** A vendor record type the agent does not use: fills the journal so that the replacement's write rotates it. */
const FILLER_TYPE = 99;

function prepared(profile: FlashProfile, full: boolean): AgentWorld {
  const w = new AgentWorld({
    seed: 3,
    trust: provisioned(),
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 16 * 1024,
    flash: profile,
    server: { upgradeTime: 0 },
  });
  const probe = w.media.attach(new PowerRail());
  // The factory writes the provisioned set, so a lost record could not pass for the old set.
  persistCredentials(probe, w.layout, provisioned());
  if (full) {
    const journal = Journal.open(probe, w.layout);
    const size = encodeTrustStore(provisioned()).length;
    // A record takes its body plus at most 24 bytes (header, CRC, commit word, padding): leave less than that.
    while (journal.stats().freeBytes >= size + 8) journal.append(FILLER_TYPE, new Uint8Array(Math.max(1, Math.min(1024, journal.stats().freeBytes - size - 32))).fill(0x5a));
  }
  expect(w.run(() => w.current?.alive === true && w.current.agent.ctx.state === 'idle')).toBe(true);
  return w;
}

/** 'old' or 'new': what the credential record holds and what the rebooted agent has in force, which must agree. */
function settled(w: AgentWorld, label: string): 'old' | 'new' {
  const onFlash = loadCredentials(w.media.attach(new PowerRail()), w.layout);
  expect(onFlash, `${label}: no credential record`).toBeDefined();
  const bytes = toHex(encodeTrustStore(onFlash!));
  const old = toHex(encodeTrustStore(provisioned()));
  const expectedNew = { ...provisioned(), cells: { ...provisioned().cells, supplier1: INCOMING.der }, counter: COUNTER };
  const which = bytes === old ? 'old' : bytes === toHex(encodeTrustStore(expectedNew)) ? 'new' : undefined;
  expect(which, `${label}: the record holds neither the old set nor the new one`).toBeDefined();
  expect(w.current!.agent.credentials(), label).toEqual(readCredentials(which === 'old' ? provisioned() : expectedNew));
  expect(w.current!.agent.recentErrors.filter((c) => c.startsWith('CRED_')), label).toEqual([]);
  expect(w.media.misuse, label).toEqual([]);
  return which!;
}

describe.each(FLASH_PROFILES)('credential replacement power-cut sweep on $name', (profile) => {
  it('every flash operation of a replacement cut, clean and torn: the old set or the new one, never neither, never a mix', () => {
    const idle = (w: AgentWorld) => w.current?.alive === true && w.current.agent.ctx.state === 'idle';
    for (const full of [false, true]) {
      const clean = prepared(profile, full);
      const before = clean.media.ops;
      expect(clean.current!.credentialCommand(CMD())).toBe(0);
      const N = clean.media.ops - before;
      // Two programs (record, then its commit word); rotating also erases the other sector, copies the latest records and writes its header.
      if (full) expect(N, 'the write rotated the journal').toBeGreaterThan(4);
      else expect(N).toBe(2);
      expect(settled(clean, 'clean run')).toBe('new');
      const ends = { old: 0, new: 0 };
      for (let i = 0; i < N; i++) {
        for (const torn of [false, true]) {
          const label = `${profile.name} ${full ? 'rotating' : 'fresh'} ${torn ? 'torn' : 'clean'} cut at op ${i}/${N}`;
          const w = prepared(profile, full);
          w.media.cutPowerAt(w.media.ops + i, { torn });
          w.current!.credentialCommand(CMD());
          expect(w.media.cutFired, label).toBe(true);
          expect(w.current!.alive, label).toBe(false);
          expect(w.run(() => idle(w)), label).toBe(true);
          const which = settled(w, label);
          ends[which]++;
          // The device goes on: the same command is applied now, or refused as the replay it is.
          expect(w.current!.credentialCommand(CMD()), label).toBe(which === 'old' ? 0 : 127);
          expect(settled(w, `${label}, after the command again`)).toBe('new');
        }
      }
      expect(ends.old + ends.new).toBe(2 * N);
      expect(ends.old, 'a cut before the commit leaves the old set').toBeGreaterThan(0);
      console.log(`credential sweep ${profile.name} ${full ? 'with rotation' : 'fresh journal'}: N=${N} operations, ${2 * N} cut runs, ended old=${ends.old} new=${ends.new}`);
    }
  });
});
