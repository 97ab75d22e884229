/** The emulated device's parts run inside XS too: flash with cuts, virtual time, battery. */
import { PowerRail } from '../../../sim/power-rail.js';
import { Scheduler } from '../../../sim/scheduler.js';
import { DEFAULT_BATTERY, SimBattery } from '../../../sim/sim-battery.js';
import { FLASH_PROFILES, FlashMedia } from '../../../sim/sim-flash.js';
import { SimClock } from '../../../sim/sim-clock.js';
import { serve } from './serve.js';

serve({
  tornWrites: (args: { seed: number }) => {
    const out: { profile: string; ok: boolean; erased: number; opsAfter: number; readFault: boolean }[] = [];
    for (const profile of FLASH_PROFILES) {
      const media = new FlashMedia(profile, 2 * profile.sectorSize, args.seed);
      const flash = media.attach(new PowerRail());
      const data = new Uint8Array(256).map((_, i) => i);
      flash.program(0, data);
      media.cutPowerAt(media.ops, { torn: true });
      let lost = false;
      try {
        flash.erase(0);
      } catch (e) {
        lost = (e as Error).name === 'PowerLost';
      }
      const opsAtCut = media.ops;
      let stillDead = false;
      try {
        flash.program(4096, data);
      } catch (e) {
        stillDead = (e as Error).name === 'PowerLost';
      }
      const after = media.attach(new PowerRail());
      // An ECC part raises a read fault on a torn sector; the stored bits are counted from the chip.
      let readFault = false;
      try {
        after.read(0, new Uint8Array(256));
      } catch (e) {
        readFault = (e as Error).name === 'FlashReadFault';
      }
      const back = media.peek(0, 256);
      out.push({
        profile: profile.name,
        ok: lost && stillDead,
        erased: back.filter((b) => b === profile.erasedValue).length,
        opsAfter: media.ops - opsAtCut,
        readFault,
      });
    }
    return out;
  },
  timeAndBattery: () => {
    const s = new Scheduler();
    const rail = new PowerRail();
    const clock = new SimClock(s, rail, undefined);
    const order: number[] = [];
    clock.setTimer(5, () => order.push(5));
    clock.setTimer(1, () => order.push(1));
    const battery = new SimBattery(s, { ...DEFAULT_BATTERY, capacity: 100, startPercent: 50 });
    battery.attach(rail);
    s.runUntil(() => false);
    battery.drain(1000);
    return { order, alive: rail.alive, reason: rail.reason };
  },
});
