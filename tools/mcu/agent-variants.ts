/**
 * The builds the MCU update run needs: one archive, linked once per version and variant
 * (c/build-id.c reads -DMCU_AGENT_VERSION and -DMCU_AGENT_VARIANT). v1 is the factory
 * image, v2 the update, and two broken v2 builds are rolled back: one whose vendor
 * self-check fails, one that exits before the agent runs. Each variant reuses the board's
 * compiled XS, archive and module objects (copied with their times, so make leaves them);
 * only the platform layer is compiled again. The result is stripped: a bank holds what
 * the core loads, not the symbols.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface AgentVariant {
  name: string;
  version: number;
  /** c/build-id.c: 0 good, 1 selftest-fail, 2 exit-at-start. */
  variant: 0 | 1 | 2;
}

export const V1 = 0x01000000;
export const V2 = 0x01000001;

export const AGENT_VARIANTS: AgentVariant[] = [
  { name: 'v1', version: V1, variant: 0 },
  { name: 'v2', version: V2, variant: 0 },
  { name: 'v2-selftest-fail', version: V2, variant: 1 },
  { name: 'v2-exit-at-start', version: V2, variant: 2 },
];

/** Where a variant's stripped image lands. */
export function variantElf(boardOut: string, name: string): string {
  return path.join(boardOut, 'agent', `${name}.elf`);
}

/** The make variables that give a variant its identity. */
export function variantDefines(v: AgentVariant, extra = ''): string {
  return `${extra ? `${extra} ` : ''}-DMCU_AGENT_VERSION=0x${v.version.toString(16)} -DMCU_AGENT_VARIANT=${v.variant}`;
}

/**
 * Links every variant next to the board's image. `makeArgs` are the board's make
 * arguments without OUT and EXTRA_DEFINES; `binutilsPrefix` names the board's objcopy. Throws with make's last lines on failure.
 */
export function linkAgentVariants(
  boardOut: string,
  makeArgs: string[],
  extraDefines = '',
  binutilsPrefix = 'arm-none-eabi-',
): string[] {
  const made: string[] = [];
  for (const v of AGENT_VARIANTS) {
    const out = path.join(boardOut, 'agent', v.name);
    rmSync(path.join(out, 'platform'), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const part of ['xs', 'archive', 'modules'])
      if (existsSync(path.join(boardOut, part)))
        cpSync(path.join(boardOut, part), path.join(out, part), { recursive: true, preserveTimestamps: true });
    const make = spawnSync('make', [...makeArgs, `OUT=${out}`, `EXTRA_DEFINES=${variantDefines(v, extraDefines)}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (make.status !== 0)
      throw new Error(`linking ${v.name} failed:\n${`${make.stdout}${make.stderr}`.split('\n').slice(-15).join('\n')}`);
    const elf = variantElf(boardOut, v.name);
    const strip = spawnSync(`${binutilsPrefix}objcopy`, ['--strip-all', path.join(out, 'mcu.elf'), elf], {
      encoding: 'utf8',
    });
    if (strip.status !== 0) throw new Error(`stripping ${v.name} failed: ${strip.stderr}`);
    made.push(elf);
  }
  return made;
}
