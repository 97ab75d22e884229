/**
 * `npm run mcu:e2e`: the agent's whole update on the emulated Cortex-M33 (QEMU mps2-an505),
 * under the same supervisor as the lin build (tools/lin-supervisor: bootloader reading
 * docs/BOOT.md's record, emulated CH, CS06 commands), launched by tools/mcu/qemu-launcher.ts.
 * Builds the MCU image and its v1, v2 and broken v2 variants (npm run mcu:build --
 * --agent-variants), signs the v2 images with a test PKI, provisions a fresh flash file per
 * run (v1 in bank 0) and runs:
 *   update    v1 → v2 under -icount shift=0: the phase table and the RAM table from its marks
 *   rollback  v2 whose self-test fails: reverted by the bootloader, reported
 *   crash     v2 that exits at start: reverted by the bootloader, reported
 *   kill      QEMU SIGKILLed at random moments of the update (without -icount: faster)
 *   cuts      power cut at flash operation N (clean and torn) in the C flash layer
 * then prints the size table and the totals. Exit 0 when every run ended as it should
 * (confirmed, or rolled back for the broken builds; the sweeps: confirmed or on the old
 * image, none bricked), 1 otherwise, 2 usage, 3 a tool or the SDK is missing (named).
 *
 * Flags: --only update,rollback,crash,kill,cuts  --kills N (default 10)  --cuts N (per kind,
 * default 10; one in three in the trial launch)  --seed S  --port P (default 5931)  --out DIR (the
 * run folder: flash files, bank images, logs; default build/mcu/e2e)  --update-ms MS and --ops N1,N2 (the
 * sweeps' aim when the update run is not in --only: its duration, flash operations per launch)
 * --no-build (use the images built before)  --docs (write the tables into docs/BENCHMARKS.md)
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../../sim/index.js';
import { provisionFlashFile } from '../lin-supervisor/provision.js';
import { superviseUpdate, type RunResult, type SupervisorOptions } from '../lin-supervisor/supervisor.js';
import { AGENT_VARIANTS, V1, V2, variantElf } from './agent-variants.js';
import { marksOf, phaseTable, ramTable } from './e2e-phases.js';
import { BOARDS, buildDir, EXIT_FAILED, EXIT_MISSING, EXIT_USAGE, fail, missingTools, repo } from './mcu-env.js';
import { qemuLauncher } from './qemu-launcher.js';
import { imageSizes } from './sizes.js';
import { updateSigner } from '../lin-supervisor/update-images.js';

const BOARD = 'an505';
const say = (line: string) => process.stdout.write(`${line}\n`);
const hex = (v: number | undefined) => (v === undefined ? '-' : `0x${v.toString(16).padStart(8, '0')}`);
const fmt = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-GB') : String(n ?? ''));

function table(headers: string[], lines: unknown[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.map(fmt).join(' | ')} |`),
  ].join('\n');
}

const E2E_BEGIN = '<!-- mcu-e2e:begin (npm run mcu:e2e -- --docs rewrites this part) -->';
const E2E_END = '<!-- mcu-e2e:end -->';

/** Puts the e2e part inside the MCU section of docs/BENCHMARKS.md, just before its end marker. */
function writeDocs(text: string): void {
  const file = path.join(repo, 'docs/BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const block = `${E2E_BEGIN}\n${text}\n${E2E_END}`;
  const b = doc.indexOf(E2E_BEGIN);
  const e = doc.indexOf(E2E_END);
  if (b >= 0 && e > b) return writeFileSync(file, `${doc.slice(0, b)}${block}${doc.slice(e + E2E_END.length)}`);
  const end = doc.indexOf('<!-- mcu:end -->');
  if (end < 0) throw new Error('docs/BENCHMARKS.md has no <!-- mcu:end --> marker');
  writeFileSync(file, `${doc.slice(0, end)}${block}\n${doc.slice(end)}`);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string' },
        kills: { type: 'string' },
        cuts: { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string' },
        out: { type: 'string' },
        'update-ms': { type: 'string' },
        ops: { type: 'string' },
        'no-build': { type: 'boolean' },
        docs: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(EXIT_USAGE, (e as Error).message);
  }
  const only = new Set((values.only ?? 'update,rollback,crash,kill,cuts').split(','));
  for (const o of only)
    if (!['update', 'rollback', 'crash', 'kill', 'cuts'].includes(o)) fail(EXIT_USAGE, `unknown run "${o}" in --only`);
  const kills = Number(values.kills ?? 10);
  const cuts = Number(values.cuts ?? 10);
  const port = Number(values.port ?? 5931);
  if (![kills, cuts, port].every((n) => Number.isInteger(n) && n >= 0)) fail(EXIT_USAGE, 'numbers must be whole');
  const rng = new Rng(Number(values.seed ?? 1));

  // Without --no-build it builds first (the SDK and the cross compiler); either way it runs QEMU.
  const missing = missingTools(
    values['no-build'] ? ['arm-gcc', 'qemu-arm'] : ['moddable', 'tsc', 'arm-gcc', 'make', 'cmake', 'git', 'qemu-arm'],
  );
  if (missing.length > 0) fail(EXIT_MISSING, `cannot run the MCU update:\n  - ${missing.join('\n  - ')}`);
  const boardOut = path.join(buildDir(), BOARD);
  if (!values['no-build']) {
    const b = spawnSync('npx', ['tsx', 'tools/mcu/build.ts', '--board', BOARD, '--no-sizing', '--agent-variants'], {
      cwd: repo,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (b.status !== 0) return b.status === EXIT_MISSING ? EXIT_MISSING : EXIT_FAILED;
  }
  const elves = new Map<string, Uint8Array>();
  for (const v of AGENT_VARIANTS) {
    const file = variantElf(boardOut, v.name);
    if (!existsSync(file)) fail(EXIT_MISSING, `${path.relative(repo, file)} missing: run without --no-build`);
    elves.set(v.name, new Uint8Array(readFileSync(file)));
  }
  say(
    `images (stripped ELF, what a bank holds): ${AGENT_VARIANTS.map((v) => `${v.name} ${elves.get(v.name)!.length} bytes`).join(', ')}`,
  );

  // As in the lin run: one test PKI signs every v2 image, the device holds its manufacturer anchor and supplier 1.
  const { sign, deviceTrust } = updateSigner(V2, 'althan-ota MCU image');
  const images = new Map<string, Uint8Array>();
  for (const name of ['v2', 'v2-selftest-fail', 'v2-exit-at-start']) images.set(name, sign(elves.get(name)!));
  say(`signed OTA files: ${images.get('v2')!.length} bytes each`);

  const runDir = path.resolve(values.out ?? path.join(buildDir(), 'e2e'));
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  let runs = 0;
  const totals = { confirmed: 0, rolledBack: 0, bricked: 0, failed: 0 };
  const wrong: string[] = [];
  const run = async (label: string, image: string, icount: boolean, extra: Partial<SupervisorOptions> = {}) => {
    const flashName = `flash-${++runs}.bin`;
    provisionFlashFile(path.join(runDir, flashName), elves.get('v1')!, V1, deviceTrust);
    const t0 = Date.now();
    // Written as it happens: a long run can be followed (tail -f) and a stuck one read.
    const logFile = path.join(runDir, `run-${runs}.log`);
    writeFileSync(logFile, '');
    const r = await superviseUpdate({
      runDir,
      flashName,
      port,
      launcher: qemuLauncher({ machine: BOARDS[BOARD].machine, port, icount }),
      image: images.get(image)!,
      fromVersion: V1,
      blockSize: 255,
      timeoutMs: 15 * 60_000,
      log: (l) => appendFileSync(logFile, `${((Date.now() - t0) / 1000).toFixed(1)} s ${l}\n`),
      ...extra,
    });
    if (r.outcome === 'confirmed') totals.confirmed++;
    else if (r.outcome === 'rolled-back') totals.rolledBack++;
    else if (r.outcome === 'bricked') totals.bricked++;
    else totals.failed++;
    const launches = r.launches
      .map(
        (l) =>
          `${l.trial ? 'trial ' : ''}bank ${l.bank} build ${hex(l.buildVersion)}${l.variant && l.variant !== 'good' ? ` ${l.variant}` : ''} → ${l.exit}`,
      )
      .join('; ');
    say(
      `${label}: ${r.outcome}; boot record confirmed ${hex(r.record?.confirmed.version)} in bank ${r.record?.confirmed.bank ?? '-'}${r.record?.refused ? `, refused ${hex(r.record.refused.version)}` : ''}; ${r.launches.length} launches (${launches}); ${r.blockRequests} block requests; ${(r.ms / 1000).toFixed(1)} s${extra.killAtMs !== undefined ? `; kill ${r.killed ? 'landed' : 'did not land (the run had ended)'}` : ''}${extra.cut ? `; cut ${r.cutFired ? 'fired' : 'did not fire'}` : ''}${r.detail && r.outcome !== 'confirmed' && r.outcome !== 'rolled-back' ? ` — ${r.detail} (log: ${path.relative(repo, path.join(runDir, `run-${runs}.log`))})` : ''}`,
    );
    return r;
  };
  const docs: string[] = [];
  const supplierReports = (r: RunResult) =>
    r.reports
      .filter((x) => x.kind === 'activation' || x.kind === 'verification')
      .map((a) => JSON.stringify(a))
      .join(', ');

  // Where the sweeps aim when the update run is not in --only: its duration and flash operations per launch.
  let updateMs = Number(values['update-ms'] ?? 240_000);
  let opsPerLaunch = (values.ops ?? '3780,2').split(',').map(Number);
  if (only.has('update')) {
    // Kept running after the outcome so that the new image's idle RAM is read (the core's time runs slower than the host's).
    const r = await run('update v1 → v2 (-icount shift=0)', 'v2', true, { lingerMs: 10_000 });
    if (r.outcome !== 'confirmed') wrong.push('update');
    say(`  supplier reports: ${supplierReports(r)}`);
    updateMs = r.ms;
    opsPerLaunch = r.launches.map((l) => l.flashOps);
    const marks = marksOf(r.events);
    const trial = r.launches.findIndex((l) => l.trial) + 1;
    const phases = phaseTable(marks, 1, trial, elves.get('v1')!.length, elves.get('v2')!.length);
    const ram = ramTable(marks, 1, trial, r.launches.length);
    const phaseText = table(
      ['phase', 'instructions', 'per KiB', 'GCs'],
      phases.map((p) => [p.phase, p.instructions, p.perKiB ?? '', p.gc ?? '']),
    );
    const ramText = table(
      [
        'when',
        'XS heap (slot + chunk)',
        'slot heap',
        'chunk heap',
        'slot peak',
        'chunk peak',
        'XS stack peak',
        'GCs',
        'malloc high-water',
        'RAM touched',
      ],
      ram.map((x) => [
        x.when,
        x.xsHeap,
        x.slotHeap,
        x.chunkHeap,
        x.slotPeak,
        x.chunkPeak,
        x.stackPeak,
        x.gc,
        x.mallocHighWater,
        x.ramTouched,
      ]),
    );
    say(
      `\nInstructions per phase, one whole update v1 → v2 on the Cortex-M33 (exact: -icount shift=0)\n\n${phaseText}\n`,
    );
    say(`RAM in bytes (peaks over each part; RAM touched = heap + C stack + .data/.bss)\n\n${ramText}\n`);
    docs.push(
      `Whole update v1 → v2 of the MCU image itself (${fmt(elves.get('v2')!.length)}-byte stripped ELF, 255-byte blocks), launches: ${r.launches.map((l) => `${l.trial ? 'trial ' : ''}bank ${l.bank} ${hex(l.buildVersion)} → ${l.exit}`).join('; ')}; outcome ${r.outcome}.`,
      '',
      'Instructions per phase (exact: -icount shift=0)',
      '',
      phaseText,
      '',
      'RAM in bytes (peaks over each part; RAM touched = heap + C stack + .data/.bss)',
      '',
      ramText,
      '',
    );
  }
  for (const [name, image, label] of [
    ['rollback', 'v2-selftest-fail', 'rollback v1 → v2 (self-test fails)'],
    ['crash', 'v2-exit-at-start', 'rollback v1 → v2 (exits at start)'],
  ] as const) {
    if (!only.has(name)) continue;
    const r = await run(label, image, false);
    if (r.outcome !== 'rolled-back') wrong.push(name);
    say(`  supplier reports: ${supplierReports(r)}`);
    docs.push(
      `${label}: ${r.outcome}; boot record confirmed ${hex(r.record?.confirmed.version)}, refused ${hex(r.record?.refused?.version)}; reports: ${supplierReports(r)}`,
      '',
    );
  }
  const sweepLine = (label: string, rs: RunResult[], landed: number) => {
    const n = (o: RunResult['outcome']) => rs.filter((r) => r.outcome === o).length;
    const line = `${label}: ${rs.length} runs, ${landed} faults landed; ${n('confirmed')} confirmed, ${n('rolled-back')} rolled back, ${n('bricked')} bricked, ${n('failed')} failed`;
    say(line);
    docs.push(`- ${line}`);
    if (n('bricked') || n('failed')) wrong.push(label);
  };
  if (only.has('kill')) {
    // Aimed over the update's duration without -icount (about as long: the same work, no counting);
    // a kill aimed past the end does not land, so up to twice as many runs are made.
    const rs: RunResult[] = [];
    for (let i = 0; rs.filter((r) => r.killed).length < kills && i < 2 * kills; i++) {
      const at = Math.floor(updateMs * (0.05 + 0.9 * rng.next()));
      rs.push(
        await run(
          `SIGKILL ${rs.filter((r) => r.killed).length + 1}/${kills} at ${(at / 1000).toFixed(1)} s`,
          'v2',
          false,
          { killAtMs: at },
        ),
      );
    }
    sweepLine('SIGKILL sweep (QEMU killed)', rs, rs.filter((r) => r.killed).length);
  }
  if (only.has('cuts')) {
    for (const torn of [false, true]) {
      const rs: RunResult[] = [];
      for (let i = 0; i < cuts; i++) {
        const launch = i % 3 === 2 ? 2 : 1;
        const ops = Math.max(1, opsPerLaunch[launch - 1] || (launch === 1 ? 3000 : 20));
        const at = Math.floor(rng.next() * ops);
        rs.push(
          await run(
            `flash cut ${torn ? 'torn' : 'clean'} ${i + 1}/${cuts} at op ${at + 1} of launch ${launch}`,
            'v2',
            false,
            {
              cut: { launch, at, torn, seed: Math.floor(rng.next() * 0xffffffff) },
            },
          ),
        );
      }
      sweepLine(`flash-op cut sweep (${torn ? 'torn' : 'clean'})`, rs, rs.filter((r) => r.cutFired).length);
    }
  }
  const archiveDir = path.join(buildDir(), 'mcconfig/tmp/pico/release/mcu');
  const sizes = imageSizes(path.join(boardOut, 'agent', 'v2'), archiveDir);
  const sizeText = table(
    ['part', 'bytes'],
    sizes.map((s) => [s.part, s.bytes]),
  );
  say(`\nFlash of the v2 image by part (bytes)\n\n${sizeText}\n`);
  docs.push('', 'Flash of the v2 image by part (bytes)', '', sizeText);
  say(
    `totals: ${runs} runs; ${totals.confirmed} confirmed, ${totals.rolledBack} rolled back, ${totals.bricked} bricked, ${totals.failed} failed${wrong.length ? `; not as expected: ${wrong.join(', ')}` : ''}`,
  );
  if (values.docs) {
    writeDocs(
      [
        '### Whole update on the emulated Cortex-M33 (`npm run mcu:e2e`)',
        '',
        `Made by \`npm run mcu:e2e -- --docs\` (tools/mcu/e2e.ts); date ${new Date().toISOString()}. The agent alone in the MCU image (entry device/platform/mcu/main-mcu-agent.ts): flash in a semihosted host file, the lin transport, activation and reporter over UART 1 to tools/lin-supervisor, restart = semihosting exit and relaunch on the bank's bytes.`,
        '',
        ...docs,
        '',
        `Totals: ${runs} runs; ${totals.confirmed} confirmed, ${totals.rolledBack} rolled back, ${totals.bricked} bricked, ${totals.failed} failed.`,
      ].join('\n'),
    );
  }
  return wrong.length ? EXIT_FAILED : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(`mcu:e2e failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(4);
  },
);
