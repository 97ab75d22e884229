/**
 * How the supervisor starts the device on the bytes of the bank its bootloader chose. The
 * lin build runs in the Moddable simulator (mcsim on bankN.so); the MCU image runs in QEMU
 * (tools/mcu/qemu-launcher.ts, on bankN.elf). Either way the bytes that run are the bank's,
 * the device connects to the supervisor's TCP port and speaks the lin link protocol, and
 * its exit ends the launch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinExit } from '../../device/platform/lin/link-protocol.js';

export interface LaunchRequest {
  /** Launch number in this run, from 1. */
  n: number;
  bank: 0 | 1;
  /** The bank's bytes (the boot record's slot length). */
  payload: Uint8Array;
  /** Where the run's files live (the flash file, the bank copies, the logs). */
  runDir: string;
  /** A flash-op cut for this launch: at the `at`-th operation (from 0), half done when torn. */
  cut?: { at: number; torn: boolean; seed: number };
}

export interface Launcher {
  /** Writes the bank's bytes where the device runs them from and starts it; stdout and stderr piped. */
  start(request: LaunchRequest): ChildProcess;
  /** The exit code with which the device says its flash-op cut fired. */
  readonly cutExitCode: number;
}

/** The lin build: mcsim on a copy of the bank (the cut goes in the hello; the build's flash port executes it). */
export function mcsimLauncher(mcsim: string, display: string): Launcher {
  return {
    cutExitCode: LinExit.flashCut,
    start(request) {
      const so = join(request.runDir, `bank${request.bank}.so`);
      writeFileSync(so, request.payload);
      return spawn('stdbuf', ['-oL', '-eL', mcsim, so], {
        env: { ...process.env, DISPLAY: display },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
}
