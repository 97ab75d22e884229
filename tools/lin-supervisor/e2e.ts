/**
 * `npm run moddable:e2e`: the agent's whole update on the real Moddable build (lin).
 * Builds v1, v2 and two broken v2 builds from manifest.lin.json, signs v2 with a test PKI,
 * provisions a fresh flash file per run (v1 in bank 0) and runs the supervisor:
 *   update      v1 → v2: download, verify, activate, reboot into v2 from the bank, confirm
 *   rollback    v1 → v2 whose self-test fails: reverted by the bootloader, reported
 *   crash       v1 → v2 that exits at start: reverted by the bootloader, reported
 *   kill        SIGKILL sweep: the update with the process killed at random moments
 *   cuts        flash-op cut sweep: the build's flash port ends the process at op N, clean or torn
 *   conformance the port conformance suites inside a lin build against the lin ports
 *   ram         RAM of v1 updating to a signed 256 KiB and 1 MiB payload (not a build: reverted)
 * and prints one outcome line per run and the totals. Needs $MODDABLE (the SDK the user
 * installed, tools built), Xvfb and stdbuf; says what is missing otherwise (exit 3).
 *
 * Flags: --only conformance,update,ram,rollback,crash,kill,cuts  --kills N (default 10)  --cuts N (per kind,
 * default 10; one in three in the trial launch)  --seed S  --block BYTES (default 255, the largest the OTA client asks; one block per round trip)  --out DIR (default build/lin-e2e)  --port P (the link's TCP port, default 5919)
 * --update-ms MS and --ops N1,N2 (the sweeps' aim when the update run is not in --only).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../sim/index.js';
import { buildVariant, missingTools, type BuildSpec } from './builds.js';
import { provisionFlashFile } from './provision.js';
import { superviseUpdate, type RunResult, type SupervisorOptions } from './supervisor.js';
import { updateSigner } from './update-images.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const V1 = 0x01000000;
const V2 = 0x01000001;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function hex(v: number | undefined): string {
  return v === undefined ? '-' : `0x${v.toString(16).padStart(8, '0')}`;
}

async function startXvfb(): Promise<{ display: string; stop: () => void }> {
  const x = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '640x480x24'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolveDisplay, reject) => {
    let text = '';
    x.stdio[3]!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolveDisplay(`:${text.trim()}`);
    });
    x.once('exit', () => reject(new Error('Xvfb exited')));
  });
  return { display, stop: () => x.kill('SIGTERM') };
}

function printMeters(r: RunResult, moments = ['boot', 'download', 'activate', 'trial', 'confirmed', 'idle']): void {
  const m = r.meters;
  for (const at of moments) {
    // 'idle': the last 2-s sample of the last launch: the running build after the update.
    const last = r.launches.length;
    const s = at === 'idle' ? m.filter((x) => x.at === at && x.launch === last).at(-1) : m.find((x) => x.at === at);
    if (s)
      process.stdout.write(
        `  XS meters at ${at} (launch ${s.launch}): slots ${s.slots} (process peak ${s.peakSlots}, ${s.slotBytes} B each), chunks ${s.chunks} B (process peak ${s.peakChunks} B), stack peak ${s.peakStack} B, up to ${s.gc} GCs/s\n`,
      );
  }
}

export async function main(args: string[]): Promise<number> {
  const { tools, missing } = missingTools(REPO);
  if (!tools) {
    process.stdout.write(`moddable:e2e cannot run; missing:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
    return 3;
  }
  const only = new Set((flag(args, 'only') ?? 'conformance,update,ram,rollback,crash,kill,cuts').split(','));
  const kills = Number(flag(args, 'kills') ?? 10);
  const cuts = Number(flag(args, 'cuts') ?? 10);
  const blockSize = Number(flag(args, 'block') ?? 255);
  const PORT = Number(flag(args, 'port') ?? 5919);
  const rng = new Rng(Number(flag(args, 'seed') ?? 1));
  const out = resolve(flag(args, 'out') ?? join(REPO, 'build/lin-e2e'));
  const runDir = join(out, 'run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // Builds: one source, a version constant and a variant each.
  const specs: BuildSpec[] = [
    { name: 'v1', version: V1, variant: 'good' },
    { name: 'v2', version: V2, variant: 'good' },
    { name: 'v2-selftest-fail', version: V2, variant: 'selftest-fail' },
    { name: 'v2-exit-at-start', version: V2, variant: 'exit-at-start' },
  ];
  if (only.has('conformance')) specs.push({ name: 'conformance', version: V1, variant: 'conformance' });
  const builds = new Map<string, Uint8Array>();
  for (const s of specs) {
    const t = Date.now();
    const so = buildVariant(REPO, tools, out, s, { runDir, port: PORT, blockSize });
    writeFileSync(join(out, `${s.name}.so`), so);
    builds.set(s.name, so);
    say(
      `built ${s.name}: version ${hex(s.version)}, ${s.variant}, mc.so ${so.length} bytes (${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );
  }

  // One test PKI: the device trusts it, v2 and the broken builds are signed with it.
  const { sign, deviceTrust } = updateSigner(V2, 'althan-ota lin build');
  const images = new Map<string, Uint8Array>();
  for (const name of ['v2', 'v2-selftest-fail', 'v2-exit-at-start']) images.set(name, sign(builds.get(name)!));
  say(`signed v2 images: ${images.get('v2')!.length} bytes each OTA file`);

  const x = await startXvfb();
  let runs = 0;
  const totals = { confirmed: 0, rolledBack: 0, bricked: 0, failed: 0, passed: 0 };
  const run = async (
    label: string,
    image: string,
    extra: Partial<SupervisorOptions> = {},
    factory = 'v1',
  ): Promise<RunResult> => {
    const flashName = `flash-${++runs}.bin`;
    provisionFlashFile(join(runDir, flashName), builds.get(factory)!, V1, deviceTrust);
    const lines: string[] = [];
    const r = await superviseUpdate({
      runDir,
      flashName,
      port: PORT,
      mcsim: tools.mcsim,
      display: x.display,
      image: images.get(image)!,
      fromVersion: V1,
      blockSize,
      timeoutMs: 15 * 60_000,
      log: (l) => lines.push(l),
      ...extra,
    });
    writeFileSync(join(runDir, `run-${runs}.log`), `${lines.join('\n')}\n`);
    if (r.outcome === 'confirmed') totals.confirmed++;
    else if (r.outcome === 'rolled-back') totals.rolledBack++;
    else if (r.outcome === 'bricked') totals.bricked++;
    else if (r.outcome === 'passed') totals.passed++;
    else totals.failed++;
    const launches = r.launches
      .map(
        (l) =>
          `${l.trial ? 'trial ' : ''}bank ${l.bank} build ${hex(l.buildVersion)}${l.variant && l.variant !== 'good' ? ` ${l.variant}` : ''} → ${l.exit}`,
      )
      .join('; ');
    say(
      `${label}: ${r.outcome}; boot record confirmed ${hex(r.record?.confirmed.version)} in bank ${r.record?.confirmed.bank ?? '-'}${r.record?.refused ? `, refused ${hex(r.record.refused.version)}` : ''}; ${r.launches.length} launches (${launches}); ${r.blockRequests} block requests; ${(r.ms / 1000).toFixed(1)} s${extra.killAtMs !== undefined ? `; kill ${r.killed ? 'landed' : 'did not land (the run had ended)'}` : ''}${extra.cut ? `; cut ${r.cutFired ? 'fired' : 'did not fire'}` : ''}${r.detail && r.outcome !== 'confirmed' && r.outcome !== 'rolled-back' && r.outcome !== 'passed' ? ` — ${r.detail}` : ''}`,
    );
    return r;
  };

  // Where the sweeps aim: the clean update's duration and flash operations per launch (from
  // the update run, or given with --update-ms and --ops when it is not run).
  let updateMs = Number(flag(args, 'update-ms') ?? 60_000);
  let opsPerLaunch = (flag(args, 'ops') ?? '0,0').split(',').map(Number);
  try {
    if (only.has('conformance')) {
      const r = await run('conformance (lin ports in the lin build)', 'v2', { timeoutMs: 120_000 }, 'conformance');
      for (const line of r.conformance?.lines ?? []) say(`  ${line}`);
    }
    if (only.has('update')) {
      const r = await run('update v1 → v2', 'v2', { lingerMs: 4500 });
      const acts = r.reports.filter((x) => x.kind === 'activation');
      say(`  supplier reports: ${acts.map((a) => JSON.stringify(a)).join(', ')}`);
      updateMs = r.ms;
      opsPerLaunch = r.launches.map((l) => l.flashOps);
      printMeters(r);
    }
    if (only.has('ram')) {
      // RAM against payload size: v1 downloads, verifies and activates a signed payload of
      // 256 KiB and of 1 MiB (not a build: its trial boot cannot start, and the bootloader
      // reverts to v1, which reports the failed activation).
      for (const size of [256 * 1024, 1024 * 1024]) {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = Math.floor(rng.next() * 256);
        images.set(`payload-${size}`, sign(bytes));
        const r = await run(`RAM: ${size / 1024} KiB payload (not a build)`, `payload-${size}`, { lingerMs: 4500 });
        printMeters(r, ['boot', 'download', 'activate', 'idle']);
      }
    }
    if (only.has('rollback')) {
      const r = await run('rollback v1 → v2 (self-test fails)', 'v2-selftest-fail');
      say(
        `  supplier reports: ${r.reports
          .filter((x) => x.kind === 'activation' || x.kind === 'verification')
          .map((a) => JSON.stringify(a))
          .join(', ')}`,
      );
    }
    if (only.has('crash')) {
      const r = await run('rollback v1 → v2 (exits at start)', 'v2-exit-at-start');
      say(
        `  supplier reports: ${r.reports
          .filter((x) => x.kind === 'activation' || x.kind === 'verification')
          .map((a) => JSON.stringify(a))
          .join(', ')}`,
      );
    }
    // Each sweep ends with its own counts: how many runs, how many faults landed, outcomes.
    const sweepLine = (name: string, rs: RunResult[], landed: number) => {
      const n = (o: RunResult['outcome']) => rs.filter((r) => r.outcome === o).length;
      say(
        `${name}: ${rs.length} runs, ${landed} faults landed; ${n('confirmed')} confirmed, ${n('rolled-back')} rolled back, ${n('bricked')} bricked, ${n('failed')} failed`,
      );
    };
    if (only.has('kill')) {
      // A kill aimed past the end of a run (runs vary with the machine's load) does not
      // land: the sweep goes on until `kills` have landed, at most twice as many runs.
      const rs: RunResult[] = [];
      for (let i = 0; rs.filter((r) => r.killed).length < kills && i < 2 * kills; i++) {
        const at = Math.floor(updateMs * (0.05 + 0.9 * rng.next()));
        rs.push(
          await run(`SIGKILL ${rs.filter((r) => r.killed).length + 1}/${kills} at ${(at / 1000).toFixed(1)} s`, 'v2', {
            killAtMs: at,
          }),
        );
      }
      sweepLine('SIGKILL sweep', rs, rs.filter((r) => r.killed).length);
    }
    if (only.has('cuts')) {
      for (const torn of [false, true]) {
        const rs: RunResult[] = [];
        for (let i = 0; i < cuts; i++) {
          // One cut in three lands in the trial launch (launch 2: the new build's first boot).
          const launch = i % 3 === 2 ? 2 : 1;
          const ops = Math.max(1, opsPerLaunch[launch - 1] || (launch === 1 ? 2000 : 20));
          const at = Math.floor(rng.next() * ops);
          rs.push(
            await run(`flash cut ${torn ? 'torn' : 'clean'} ${i + 1}/${cuts} at op ${at} of launch ${launch}`, 'v2', {
              cut: { launch, at, torn, seed: Math.floor(rng.next() * 0xffffffff) },
            }),
          );
        }
        sweepLine(`flash-op cut sweep (${torn ? 'torn' : 'clean'})`, rs, rs.filter((r) => r.cutFired).length);
      }
    }
  } finally {
    x.stop();
  }
  say(
    `totals: ${runs} runs; ${totals.confirmed} confirmed, ${totals.rolledBack} rolled back, ${totals.bricked} bricked, ${totals.failed} failed${totals.passed ? `, ${totals.passed} conformance passed` : ''}`,
  );
  return totals.bricked || totals.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(`moddable:e2e failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(4);
  },
);
