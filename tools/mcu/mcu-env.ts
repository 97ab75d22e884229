/**
 * What the MCU build and run need from the machine, and how they say what is missing.
 * Exit codes shared by tools/mcu/*: 0 done, 1 a step failed, 2 usage, 3 a tool or SDK
 * missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_MISSING = 3;

export const BOARDS = {
  an505: { machine: 'mps2-an505', label: 'Cortex-M33 (QEMU mps2-an505)', core: 'Cortex-M33' },
  an386: { machine: 'mps2-an386', label: 'Cortex-M4F (QEMU mps2-an386)', core: 'Cortex-M4F' },
  rv32: { machine: 'virt', label: 'RV32IMAC (QEMU virt)', core: 'RV32IMAC' },
} as const;
export type BoardName = keyof typeof BOARDS;

/** The board's emulator, its extra arguments, its cross compiler (a `Tool`) and binutils prefix. */
export function boardTools(board: BoardName): {
  qemu: string;
  qemuArgs: string[];
  compiler: Tool;
  emulator: Tool;
  prefix: string;
  libc: string;
} {
  if (board === 'rv32')
    return {
      qemu: 'qemu-system-riscv32',
      qemuArgs: ['-bios', 'none'],
      compiler: 'riscv-gcc',
      emulator: 'qemu-riscv',
      prefix: 'riscv64-unknown-elf-',
      libc: 'picolibc',
    };
  return {
    qemu: 'qemu-system-arm',
    qemuArgs: [],
    compiler: 'arm-gcc',
    emulator: 'qemu-arm',
    prefix: 'arm-none-eabi-',
    libc: 'newlib-nano',
  };
}

export function buildDir(): string {
  return path.join(repo, 'build/mcu');
}

export function fail(code: number, message: string): never {
  process.stderr.write(`mcu: ${message}\n`);
  process.exit(code);
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export type Tool = 'moddable' | 'tsc' | 'arm-gcc' | 'riscv-gcc' | 'make' | 'cmake' | 'git' | 'qemu-arm' | 'qemu-riscv';

/** One line per missing tool, saying how to get it. */
export function missingTools(tools: Tool[]): string[] {
  const missing: string[] = [];
  for (const tool of tools) {
    switch (tool) {
      case 'moddable': {
        const sdk = process.env.MODDABLE;
        if (!sdk)
          missing.push('$MODDABLE is not set (install and build the Moddable SDK, docs/PORTING.md "MCU cores")');
        else if (!existsSync(path.join(sdk, 'build/bin/lin/release/mcconfig')))
          missing.push(`no mcconfig in $MODDABLE/build/bin/lin/release (build the SDK's lin tools in ${sdk})`);
        break;
      }
      case 'tsc':
        if (!existsSync(path.join(repo, 'node_modules/.bin/tsc')) && !onPath('tsc')) missing.push('tsc: run npm ci');
        break;
      case 'arm-gcc':
        if (!onPath('arm-none-eabi-gcc'))
          missing.push('arm-none-eabi-gcc: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi');
        break;
      case 'riscv-gcc':
        if (!onPath('riscv64-unknown-elf-gcc'))
          missing.push('riscv64-unknown-elf-gcc: apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf');
        break;
      case 'qemu-riscv':
        if (!onPath('qemu-system-riscv32')) missing.push('qemu-system-riscv32: apt-get install qemu-system-misc');
        break;
      case 'qemu-arm':
        if (!onPath('qemu-system-arm')) missing.push('qemu-system-arm: apt-get install qemu-system-arm');
        break;
      default:
        if (!onPath(tool)) missing.push(`${tool}: apt-get install ${tool}`);
    }
  }
  return missing;
}
