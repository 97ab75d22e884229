/**
 * Credential replacement on the emulated device, through the harness's credentials port:
 * what a replaced Supplier cell means for the images that follow, split supply, the rule
 * for a replacement during a download, while an image is held, and during a trial, the
 * reports, the read-out, and the new set surviving a reboot.
 */
import { describe, expect, it } from 'vitest';
import { UPGRADE_TIME_WAIT_FOR_COMMAND } from '../../device/zigbee/ota-constants.js';
import { toHex } from '../../device/util/bytes.js';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { manufacturerImageHash } from '../../sim/update-world.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, TO_VERSION } from '../e2e/e2e-fixture.js';
import { command, fullStore, imageSignedBy, organisationCert, pki } from './credential-fixture.js';

const SUPPLIER3 = organisationCert('Supplier 3');
const replaceSupplier1 = (counter = 1) => command('supplier1', 'recovery', counter, SUPPLIER3.der);

function world(options: { seed?: number; waitForCommand?: boolean } = {}): World {
  return new World({
    seed: options.seed ?? 31,
    trust: fullStore(),
    ...E2E_IDS,
    hardwareVersion: HARDWARE_VERSION,
    currentVersion: FROM_VERSION,
    bankSize: 64 * 1024,
    server: { upgradeTime: options.waitForCommand ? UPGRADE_TIME_WAIT_FOR_COMMAND : 0 },
  });
}

const idle = (w: World) => w.current?.alive === true && w.current.agent.ctx.state === 'idle';
const confirmedAt = (w: World, version: number) =>
  w.reportsOf('activation').some((r) => r.success && r.version === version) && idle(w);
const refusedWith = (w: World, code: string) =>
  w.reportsOf('verification').some((r) => r.alertCode === 0x8f1c && r.errorCode === code);

describe('after a Supplier cell is replaced', () => {
  it("the replaced supplier's image is refused, the new supplier's accepted; the set and its counter survive reboots", () => {
    const w = world();
    expect(w.run(() => idle(w))).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1(5))).toBe(0);
    expect(w.reportsOf('credential-update')).toEqual([
      {
        kind: 'credential-update',
        cell: 'supplier1',
        authority: 'recovery',
        responseCode: 0,
        errorCode: 'OK',
        counter: 5,
      },
    ]);
    const readout = w.current!.agent.credentials();
    expect(readout.counter).toBe(5);
    expect(readout.cells.find((c) => c.cell === 'supplier1')).toMatchObject({
      keyId: toHex(SUPPLIER3.keyId),
      entityId: '90b3d51f30030000',
      role: 2,
    });

    w.ch.images.push(servedImage(imageSignedBy(pki().supplier1.privateKey).file));
    expect(w.run(() => refusedWith(w, 'IMG_SUPPLIER_SIGNATURE'))).toBe(true);
    expect(w.reportsOf('activation')).toEqual([]);

    w.ch.images.push(servedImage(imageSignedBy(SUPPLIER3.key.privateKey, { version: TO_VERSION + 1 }).file));
    expect(w.run(() => confirmedAt(w, TO_VERSION + 1))).toBe(true);
    expect(w.boots).toBe(2); // the activation rebooted the device: the new set was read back from flash
    expect(w.current!.agent.credentials().counter).toBe(5);
    // The same command again, after the reboot: a replay.
    expect(w.current!.credentialCommand(replaceSupplier1(5))).toBe(127);
    expect(w.reportsOf('credential-update').at(-1)).toMatchObject({
      responseCode: 127,
      errorCode: 'CRED_REPLAYED',
      counter: 5,
    });
  });

  it('split supply: replacing supplier1 leaves supplier2 authorising images', () => {
    const w = world({ seed: 37 });
    expect(w.run(() => idle(w))).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    w.ch.images.push(servedImage(imageSignedBy(pki().supplier2.privateKey).file));
    expect(w.run(() => confirmedAt(w, TO_VERSION))).toBe(true);
    expect(w.current!.agent.credentials().cells.find((c) => c.cell === 'supplier2')?.keyId).toBe(
      toHex(pki().supplier2.keyId),
    );
  });

  it('a refused command is reported and changes nothing', () => {
    const w = world({ seed: 41 });
    expect(w.run(() => idle(w))).toBe(true);
    expect(w.current!.credentialCommand(command('supplier1', 'supplier2', 3, SUPPLIER3.der))).toBe(10);
    expect(w.current!.credentialCommand(Uint8Array.of(0xa0))).toBe(127);
    expect(w.reportsOf('credential-update')).toEqual([
      {
        kind: 'credential-update',
        cell: 'supplier1',
        authority: 'supplier2',
        responseCode: 10,
        errorCode: 'CRED_NOT_AUTHORISED',
        counter: 0,
      },
      {
        kind: 'credential-update',
        cell: 'unknown',
        authority: 'unknown',
        responseCode: 127,
        errorCode: 'CRED_COMMAND_MALFORMED',
        counter: 0,
      },
    ]);
    expect(w.current!.agent.credentials().cells.find((c) => c.cell === 'supplier1')?.keyId).toBe(
      toHex(pki().supplier1.keyId),
    );
  });
});

describe('a replacement while an update is in progress', () => {
  it("during a download: applied; the image ends under the new cells (the old supplier's refused at its trailer)", () => {
    const w = world({ seed: 43 });
    w.ch.images.push(servedImage(imageSignedBy(pki().supplier1.privateKey, { bytes: 30_000 }).file));
    expect(w.run(() => (w.current?.fileOffset() ?? 0) > 5_000)).toBe(true);
    expect(w.current!.agent.ctx.state).toBe('downloading');
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    expect(w.run(() => refusedWith(w, 'IMG_SUPPLIER_SIGNATURE') && idle(w))).toBe(true);
    expect(w.reportsOf('verification').some((r) => r.alertCode === 0x8f72)).toBe(false);
    expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { bank: 0, version: FROM_VERSION } });
  });

  it('during a download: an image signed by the incoming supplier is accepted at its trailer', () => {
    const w = world({ seed: 47 });
    w.ch.images.push(servedImage(imageSignedBy(SUPPLIER3.key.privateKey, { bytes: 30_000 }).file));
    expect(w.run(() => (w.current?.fileOffset() ?? 0) > 5_000)).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    expect(w.run(() => confirmedAt(w, TO_VERSION))).toBe(true);
  });

  it('an image held for activation and no longer authorised is refused and never activated', () => {
    const w = world({ seed: 53, waitForCommand: true });
    const image = imageSignedBy(pki().supplier1.privateKey);
    w.ch.images.push(servedImage(image.file));
    expect(w.run(() => w.current?.agent.held !== undefined)).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    expect(refusedWith(w, 'IMG_SUPPLIER_SIGNATURE')).toBe(true);
    expect(w.current!.agent.ctx.state).toBe('idle');
    expect(w.current!.command(manufacturerImageHash(image.file))).toBe(1); // CS06: no image held
    w.scheduler.advanceTo(w.scheduler.now + 3_600_000);
    expect(w.reportsOf('activation')).toEqual([]);
    expect(w.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { bank: 0, version: FROM_VERSION } });
  });

  it('an image held for activation that the other Supplier cell authorises stays held and activates', () => {
    const w = world({ seed: 59, waitForCommand: true });
    const image = imageSignedBy(pki().supplier2.privateKey);
    w.ch.images.push(servedImage(image.file));
    expect(w.run(() => w.current?.agent.held !== undefined)).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    expect(w.current!.agent.ctx.state).toBe('awaiting-activation');
    expect(w.current!.command(manufacturerImageHash(image.file))).toBe(0);
    expect(w.run(() => confirmedAt(w, TO_VERSION))).toBe(true);
  });

  it('during a trial: refused with 30 and nothing changes; once confirmed, the same command is applied', () => {
    const w = world({ seed: 61 });
    w.ch.images.push(servedImage(imageSignedBy(pki().supplier2.privateKey).file));
    expect(w.run(() => w.current?.agent.ctx.state === 'trial-self-test')).toBe(true);
    const cmd = replaceSupplier1(9);
    expect(w.current!.credentialCommand(cmd)).toBe(30);
    expect(w.reportsOf('credential-update')).toEqual([
      {
        kind: 'credential-update',
        cell: 'supplier1',
        authority: 'recovery',
        responseCode: 30,
        errorCode: 'CRED_BUSY',
        counter: 0,
      },
    ]);
    expect(w.current!.agent.credentials().counter).toBe(0);
    expect(w.run(() => confirmedAt(w, TO_VERSION))).toBe(true);
    expect(w.current!.credentialCommand(cmd)).toBe(0);
    expect(w.current!.agent.credentials().counter).toBe(9);
  });
});

describe('physical flash read-out', () => {
  it('the chip holds no private key of the PKI after an update and a replacement', () => {
    const w = world({ seed: 67 });
    expect(w.run(() => idle(w))).toBe(true);
    expect(w.current!.credentialCommand(replaceSupplier1())).toBe(0);
    w.ch.images.push(servedImage(imageSignedBy(SUPPLIER3.key.privateKey).file));
    expect(w.run(() => confirmedAt(w, TO_VERSION))).toBe(true);
    const chip = toHex(w.media.bytes);
    const p = pki();
    for (const k of [
      p.smkiRoot,
      p.orgCa,
      p.recovery,
      p.supplier1,
      p.supplier2,
      p.manufacturerRoot,
      p.manufacturerSigner,
      SUPPLIER3.key,
    ]) {
      expect(chip.includes(toHex(k.privateKey))).toBe(false);
    }
    // What the chip does hold: the new Supplier certificate (public), in the credential record.
    expect(chip.includes(toHex(SUPPLIER3.der))).toBe(true);
  });
});
