/**
 * The MCU update run's pure parts (CI has no SDK, cross compiler or QEMU): the QEMU
 * command line the launcher builds, the phase and RAM tables made from the image's marks,
 * and the command's exit 3 / exit 2 without its tools or with a wrong flag.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { marksOf, phaseTable, ramBetween, ramTable, type Mark } from '../../tools/mcu/e2e-phases.js';
import { AGENT_VARIANTS, variantDefines } from '../../tools/mcu/agent-variants.js';
import {
  AGENT_ENTRY,
  AGENT_STACK_SLOTS,
  MCU_EXIT_POWER_CUT,
  qemuArgs,
  qemuLauncher,
} from '../../tools/mcu/qemu-launcher.js';

describe('qemuArgs', () => {
  const base = { machine: 'mps2-an505', port: 5931, icount: true };

  it('puts the console on UART 0, the link on UART 1 (a TCP client of the supervisor), semihosting on', () => {
    const a = qemuArgs(base, '/run/bank1.elf');
    const serials = a.flatMap((x, i) => (x === '-serial' ? [a[i + 1]] : []));
    expect(serials).toEqual(['stdio', 'tcp:127.0.0.1:5931']);
    expect(a.slice(a.indexOf('-M'), a.indexOf('-M') + 2)).toEqual(['-M', 'mps2-an505']);
    expect(a[a.indexOf('-kernel') + 1]).toBe('/run/bank1.elf');
    expect(a[a.indexOf('-semihosting-config') + 1]).toBe('enable=on,target=native');
    expect(a[a.indexOf('-append') + 1]).toBe(`${AGENT_ENTRY} stack=${AGENT_STACK_SLOTS}`);
  });

  it('counts instructions only when asked, and lets the core sleep only when not counting', () => {
    expect(qemuArgs(base, 'x.elf').join(' ')).toContain('-icount shift=0');
    expect(qemuArgs(base, 'x.elf').join(' ')).not.toContain(' wfi');
    const sweep = qemuArgs({ ...base, icount: false }, 'x.elf', { at: 9, torn: false, seed: 1 });
    expect(sweep).not.toContain('-icount');
    expect(sweep[sweep.indexOf('-append') + 1]).toBe(`${AGENT_ENTRY} stack=${AGENT_STACK_SLOTS} wfi cut=10`);
  });

  it("turns the supervisor's cut (from 0) into the C flash layer's (from 1), torn or clean", () => {
    const append = (cut: { at: number; torn: boolean; seed: number }) => {
      const a = qemuArgs(base, 'x.elf', cut);
      return a[a.indexOf('-append') + 1];
    };
    expect(append({ at: 0, torn: false, seed: 1 })).toBe(`${AGENT_ENTRY} stack=${AGENT_STACK_SLOTS} cut=1`);
    expect(append({ at: 41, torn: true, seed: 1 })).toBe(`${AGENT_ENTRY} stack=${AGENT_STACK_SLOTS} cut=42 torn`);
  });

  it('says a cut with the exit code of c/mcu.h', () => {
    expect(qemuLauncher(base).cutExitCode).toBe(MCU_EXIT_POWER_CUT);
    expect(MCU_EXIT_POWER_CUT).toBe(5);
  });
});

describe('agent variants', () => {
  it('differ by version and variant defines only, v1 older than every v2', () => {
    const v1 = AGENT_VARIANTS.find((v) => v.name === 'v1')!;
    for (const v of AGENT_VARIANTS.filter((x) => x.name !== 'v1')) expect(v.version).toBeGreaterThan(v1.version);
    expect(variantDefines(AGENT_VARIANTS[2]!)).toBe('-DMCU_AGENT_VERSION=0x1000001 -DMCU_AGENT_VARIANT=1');
    expect(variantDefines(v1, '-DX=1')).toBe('-DX=1 -DMCU_AGENT_VERSION=0x1000000 -DMCU_AGENT_VARIANT=0');
  });
});

/** Marks of one update as the image sends them: launch 1 the old image, launch 2 the trial. */
function updateMarks(): Mark[] {
  const m = (launch: number, mark: string, instructions: number, extra: Partial<Mark> = {}): Mark => ({
    launch,
    mark,
    instructions,
    gc: Math.floor(instructions / 1_000_000),
    slotHeap: 8000,
    chunkHeap: 2000,
    slotPeak: 7000,
    chunkPeak: 1500,
    stackPeak: 1000,
    mallocHighWater: 30000,
    ramTouched: 40000,
    ...extra,
  });
  return [
    m(1, 'entry', 2_100_000, { boot: 2_000_000, entered: 2_050_000 }),
    m(1, 'agent-start', 3_000_000),
    m(1, 'phase:query', 4_000_000),
    m(1, 'agent-started', 5_048_576),
    m(1, 'idle', 5_100_000, { chunkHeap: 1000 }),
    m(1, 'phase:download', 6_000_000),
    m(1, 'first-erase', 10_000_000, { slotHeap: 12000, stackPeak: 3000 }),
    m(1, 'idle', 60_000_000, { chunkHeap: 9000, chunkPeak: 8800 }),
    m(1, 'end-in', 110_000_000),
    m(1, 'end-out', 150_000_000),
    m(1, 'phase:verify', 151_000_000),
    m(1, 'cs06', 160_000_000),
    m(1, 'phase:activate', 161_000_000),
    m(1, 'restart', 170_000_000, { mallocHighWater: 50000 }),
    m(2, 'entry', 2_100_000, { boot: 2_000_000, entered: 2_050_000 }),
    m(2, 'agent-start', 3_000_000),
    m(2, 'phase:trial', 4_000_000),
    m(2, 'agent-started', 5_000_000),
    m(2, 'phase:confirmed', 9_000_000),
    m(2, 'idle', 9_500_000),
    m(2, 'idle', 9_600_000, { slotHeap: 9000 }),
  ];
}

describe('phaseTable', () => {
  const KiB = 1024;
  const rows = phaseTable(updateMarks(), 1, 2, 2048 * KiB, 100 * KiB);
  const row = (start: string) => rows.find((r) => r.phase.startsWith(start));

  it('takes the boot figures from the entry mark, counted from reset', () => {
    expect(row('reset to XS machine ready')?.instructions).toBe(2_000_000);
    expect(row('reset to entry module')?.instructions).toBe(2_050_000);
    expect(row('reset to agent start')?.instructions).toBe(3_000_000);
  });

  it('gives the power-on check per KiB of the running image, the download path per KiB of payload', () => {
    expect(row('agent start: boot check')).toMatchObject({ instructions: 2_048_576, perKiB: 1000 });
    expect(row('download start to first erase')?.instructions).toBe(4_000_000);
    expect(row('download path')).toMatchObject({ instructions: 100_000_000, perKiB: 1_000_000, gc: 100 });
    expect(row('end of image')?.instructions).toBe(40_000_000);
  });

  it('adds the activation in the old image to the trial boot up to confirmation', () => {
    expect(row('activation: CS06')?.instructions).toBe(10_000_000);
    expect(row('trial boot: self-test to confirmed')?.instructions).toBe(4_000_000);
    expect(row('activation to confirm')?.instructions).toBe(10_000_000 + 9_000_000);
  });

  it('leaves out the rows whose marks are missing (a run cut short)', () => {
    const cut = updateMarks().filter((m) => m.launch === 1 && m.instructions < 100_000_000);
    const r = phaseTable(cut, 1, 2, 2048 * KiB, 100 * KiB);
    expect(r.map((x) => x.phase).some((p) => p.startsWith('download path'))).toBe(false);
    expect(r.map((x) => x.phase).some((p) => p.startsWith('activation to confirm'))).toBe(false);
    expect(r.some((x) => x.phase.startsWith('download start to first erase'))).toBe(true);
  });
});

describe('ramTable', () => {
  const marks = updateMarks();

  it('takes the largest heaps and peaks over each part, GCs within it, the high-water at its end', () => {
    const rows = ramTable(marks, 1, 2, 2);
    const path = rows.find((r) => r.when === 'download path')!;
    expect(path).toMatchObject({ xsHeap: 8000 + 9000, chunkPeak: 8800, slotHeap: 8000, gc: 110 - 10 });
    const first = rows.find((r) => r.when.startsWith('download: authentication'))!;
    expect(first).toMatchObject({ slotHeap: 12000, stackPeak: 3000 });
    expect(rows.find((r) => r.when.startsWith('verified to restart'))?.mallocHighWater).toBe(50000);
  });

  it('reads idle before the update from the last idle mark before the download, after it from the last launch', () => {
    const rows = ramTable(marks, 1, 2, 2);
    expect(rows.find((r) => r.when.startsWith('idle before'))?.chunkHeap).toBe(1000);
    expect(rows.find((r) => r.when.startsWith('idle after'))?.slotHeap).toBe(9000);
  });

  it('passes over marks without readings and counts GCs across the 16-bit wrap', () => {
    const m = (mark: string, instructions: number, extra: Partial<Mark> = {}): Mark => ({
      launch: 1,
      mark,
      instructions,
      ...extra,
    });
    const full = { slotHeap: 100, chunkHeap: 50, mallocHighWater: 7, ramTouched: 9 };
    const list = [m('a', 1, { ...full, gc: 65530 }), m('idle', 2, { ...full, gc: 3, chunkHeap: 80 }), m('end-in', 3)];
    expect(ramBetween('x', list, list[0], list[2])).toMatchObject({ xsHeap: 180, gc: 9, mallocHighWater: 7 });
    expect(ramBetween('x', list, list[1], list[2])).toBeUndefined();
  });

  it('has no row without its end mark', () => {
    expect(ramBetween('x', marks, undefined, undefined)).toBeUndefined();
  });

  it('picks the mcu events out of the supervisor event list', () => {
    const events = [
      { launch: 1, kind: 'build', version: 1 },
      { launch: 1, kind: 'mcu', mark: 'entry', instructions: 5 },
      { launch: 1, kind: 'phase', phase: 'query' },
    ];
    expect(marksOf(events)).toEqual([{ launch: 1, kind: 'mcu', mark: 'entry', instructions: 5 }]);
  });
});

describe('npm run mcu:e2e', () => {
  const TSX = path.join('node_modules', '.bin', 'tsx');
  it('says what is missing and exits 3 without the SDK; a wrong flag exits 2; never a stack trace', () => {
    const r = spawnSync(TSX, ['tools/mcu/e2e.ts'], { encoding: 'utf8', env: { ...process.env, MODDABLE: '' } });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('$MODDABLE is not set');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const bad = spawnSync(TSX, ['tools/mcu/e2e.ts', '--frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    const only = spawnSync(TSX, ['tools/mcu/e2e.ts', '--only', 'everything'], { encoding: 'utf8' });
    expect(only.status).toBe(2);
  });
});
