/**
 * The whole device when the confirmed bank goes bad after an update: the bootloader starts
 * the previous image (docs/BOOT.md row 7), the agent reports it once (0x8F1B
 * BOOT_FELL_BACK) and the firmware version it now runs, and the next offer installs the
 * new image again. Both flash profiles; on the ECC one the damage is an unreadable word.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../sim/world.js';
import { servedImage } from '../../sim/ota-server.js';
import { FLASH_PROFILES } from '../../sim/sim-flash.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from './e2e-fixture.js';

describe.each(FLASH_PROFILES)('fallback boot on $name', (profile) => {
  it('a flipped bit in the confirmed bank boots the previous image and reports it once', () => {
    const image = signedImage(20_000, { seed: 6 });
    const world = new World({
      seed: 12,
      trust: pki().trustStore,
      ...E2E_IDS,
      hardwareVersion: HARDWARE_VERSION,
      currentVersion: FROM_VERSION,
      bankSize: 64 * 1024,
      flash: profile,
      server: { upgradeTime: 0 },
    });
    world.ch.images.push(servedImage(image.file));
    expect(world.run(() => world.reportsOf('activation').some((r) => r.success))).toBe(true);
    expect(
      world.run(
        () => world.bootRecord()?.state === 'confirmed' && world.bootRecord()?.confirmed.version === TO_VERSION,
      ),
    ).toBe(true);
    // Let the confirmed image settle (its report sent, the activation record cleared).
    const settled = world.scheduler.now + 120_000;
    world.run(() => world.scheduler.now > settled, 200_000);
    const rec = world.bootRecord()!;
    expect(rec.fallback).toMatchObject({ bank: 0, version: FROM_VERSION });
    // No offer for now: the CH has nothing newer than what runs.
    world.ch.images.length = 0;
    const bank = world.layout.banks[rec.confirmed.bank];
    world.media.flipBits(bank.offset + 1234, 0x03);
    world.current?.cut('reboot after the damage');
    const before = world.reports.length;
    const fellBack = () =>
      world.reports
        .slice(before)
        .filter((r) => r.report.kind === 'verification' && r.report.errorCode === 'BOOT_FELL_BACK');
    expect(world.run(() => fellBack().length > 0, 200_000)).toBe(true);
    expect(world.bootOutcomes[world.bootOutcomes.length - 1]).toMatchObject({ kind: 'boot', bank: 0, row: 7 });
    expect(fellBack()[0].report).toEqual({ kind: 'verification', alertCode: 0x8f1b, errorCode: 'BOOT_FELL_BACK' });
    // The running version read-out is the previous image's.
    const versionsAfter = world.reports
      .slice(before)
      .flatMap((r) => (r.report.kind === 'firmware-version' ? [r.report.version] : []));
    expect(versionsAfter).toContain(FROM_VERSION);
    // Reported once: the event is cleared, later boots do not repeat it.
    expect(world.run(() => world.bootRecord()?.event === undefined, 200_000)).toBe(true);
    for (let k = 0; k < 2; k++) {
      world.current?.cut('another reboot');
      world.boot();
    }
    expect(fellBack()).toHaveLength(1);
    expect(world.bootRecord()).toMatchObject({ state: 'confirmed', confirmed: { bank: 0, version: FROM_VERSION } });
    // The CH offers the image again: it installs over the damaged bank.
    world.ch.images.push(servedImage(image.file));
    expect(
      world.run(
        () => world.bootRecord()?.confirmed.version === TO_VERSION && world.bootRecord()?.state === 'confirmed',
        2_000_000,
      ),
    ).toBe(true);
    expect(world.media.misuse).toEqual([]);
  });
});
