/**
 * BootControl port of the lin build. The bootloader is the supervisor (it reads the
 * boot-control record before every launch and starts the chosen bank's build), so the
 * running bank is what its hello message said. `restart()` syncs the flash file and ends
 * the build with LinExit.restart; the supervisor runs the bootloader again and relaunches.
 */
import type { BootControl } from '../../ports.js';
import { LinExit } from './link-protocol.js';

export function linBootControl(bank: 0 | 1, beforeExit: () => void, exit: (code: number) => void): BootControl {
  return {
    runningBank: () => bank,
    restart() {
      try {
        beforeExit();
      } finally {
        exit(LinExit.restart);
      }
    },
  };
}
