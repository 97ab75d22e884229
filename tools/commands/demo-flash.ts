/**
 * `althan-ota demo-flash`: the emulated device's NOR flash losing power mid-write. Writes
 * a test pattern sector by sector, cuts power at a seeded random operation (torn), boots a
 * new instance over the same chip and shows what survived and the wear per sector.
 */
import { PowerRail, Rng, FLASH_PROFILES, FlashMedia } from '../../sim/index.js';
import { parseCommandArgs, type Command } from '../command.js';
import { ToolRefusal } from '../refusals.js';

export const demoFlash: Command = {
  name: ['demo-flash'],
  summary: 'emulated NOR flash with a torn power cut, reboot and wear figures',
  usage: 'althan-ota demo-flash [--seed S] [--profile nor-ff-align4|nor-00-align8]',
  async run(args) {
    const a = parseCommandArgs(args, { seed: 'string', profile: 'string' });
    const seed = a.int('seed', { max: 0xffffffff, fallback: 1 });
    const names = FLASH_PROFILES.map((p) => p.name);
    const profileName = a.choice('profile', names, names[0]);
    const profile = FLASH_PROFILES.find((p) => p.name === profileName)!;
    const sectors = 8;
    const media = new FlashMedia(profile, sectors * profile.sectorSize, seed);
    const rng = new Rng(seed);
    const chunk = 256;
    const opsPerSector = 1 + profile.sectorSize / chunk;
    const cutAt = rng.int(0, sectors * opsPerSector);
    media.cutPowerAt(cutAt, { torn: true });
    console.log(
      `flash ${profile.name}: ${sectors} sectors of ${profile.sectorSize} B, write align ${profile.writeAlign}, erased 0x${profile.erasedValue.toString(16)}`,
    );
    console.log(`power will fail in the middle of flash operation #${cutAt}`);
    const pattern = (s: number) => new Uint8Array(chunk).map((_, i) => (s * 31 + i) & 0xff);
    const flash = media.attach(new PowerRail());
    let written = 0;
    try {
      for (let s = 0; s < sectors; s++) {
        flash.erase(s);
        for (let o = 0; o < profile.sectorSize; o += chunk) {
          flash.program(s * profile.sectorSize + o, pattern(s));
          written += chunk;
        }
        process.stdout.write(`\rwriting: ${Math.round((100 * written) / media.size)}%   `);
      }
    } catch (e) {
      console.log(`\n${(e as Error).message} after ${written} bytes`);
    }
    const rebooted = media.attach(new PowerRail());
    const buf = new Uint8Array(chunk);
    for (let s = 0; s < sectors; s++) {
      let good = 0;
      for (let o = 0; o < profile.sectorSize; o += chunk) {
        rebooted.read(s * profile.sectorSize + o, buf);
        if (buf.every((b, i) => b === pattern(s)[i])) good += chunk;
      }
      console.log(
        `sector ${s}: ${good.toString().padStart(4)} / ${profile.sectorSize} bytes intact, erased ${media.eraseCount[s]}x, programmed ${media.programCount[s]}x`,
      );
    }
    console.log(`operations: ${media.ops}; caller bugs: ${media.misuse.length}`);
    if (media.misuse.length === 0) return 0;
    console.error(`refused: ${ToolRefusal.flashMisuse}: the writer broke a flash rule: ${media.misuse.join('; ')}`);
    return 1;
  },
};
