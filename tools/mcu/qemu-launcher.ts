/**
 * The supervisor's launcher for the MCU image (tools/lin-supervisor/launcher.ts): QEMU on
 * the bank's bytes. The bank holds the image as built (a stripped ELF: what QEMU's
 * `-kernel` loads), written to bankN.elf before each launch, so after an update the
 * firmware that runs is the one in the bank. UART 0 is the console (stdout), UART 1 is
 * the link: QEMU connects it to the supervisor's TCP port. Flash is the run's host file
 * (semihosting, relative to the run folder). A flash-op cut goes on the command line
 * (`cut=N [torn]`, counted from 1 by c/host-flash.c) and ends the run with exit code 5.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Launcher, LaunchRequest } from '../lin-supervisor/launcher.js';

/** c/mcu.h MCU_EXIT_POWER_CUT. */
export const MCU_EXIT_POWER_CUT = 5;
export const AGENT_ENTRY = 'platform/mcu/main-mcu-agent';
/**
 * The agent's XS stack, in slots of 16 bytes (c/main.c reads `stack=` from the command
 * line): 768, 12 KiB. The archive's 512 (8 KiB, enough for the download benchmark) overflowed
 * when the agent resumed after a power cut: it verifies the kept manifest and chain again
 * inside the frame handler of the server's offer, a few calls deeper than a fresh download,
 * whose peak is already 7.7 KiB. Found by the kill and cut sweeps (the old image then reset
 * at every resume).
 */
export const AGENT_STACK_SLOTS = 768;

export interface QemuOptions {
  /** QEMU machine, e.g. mps2-an505. */
  machine: string;
  /** The supervisor's link port on 127.0.0.1. */
  port: number;
  /** Exact instruction counts (-icount shift=0): the phase table's runs; sweeps run without. */
  icount: boolean;
}

/** The QEMU command line for one launch on `elf`. */
export function qemuArgs(o: QemuOptions, elf: string, cut?: LaunchRequest['cut']): string[] {
  // `wfi`: the core sleeps while it waits for the link (c/link-uart.c); not when counting.
  const append = [
    AGENT_ENTRY,
    `stack=${AGENT_STACK_SLOTS}`,
    ...(o.icount ? [] : ['wfi']),
    ...(cut ? [`cut=${cut.at + 1}`, ...(cut.torn ? ['torn'] : [])] : []),
  ].join(' ');
  return [
    '-M',
    o.machine,
    '-nographic',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-serial',
    `tcp:127.0.0.1:${o.port}`,
    '-semihosting-config',
    'enable=on,target=native',
    ...(o.icount ? ['-icount', 'shift=0'] : []),
    '-kernel',
    elf,
    '-append',
    append,
  ];
}

export function qemuLauncher(o: QemuOptions): Launcher {
  return {
    cutExitCode: MCU_EXIT_POWER_CUT,
    start(request) {
      const elf = join(request.runDir, `bank${request.bank}.elf`);
      writeFileSync(elf, request.payload);
      return spawn('qemu-system-arm', qemuArgs(o, elf, request.cut), {
        cwd: request.runDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
}
