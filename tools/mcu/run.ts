/**
 * Runs the MCU image (built by `npm run mcu:build`) on the emulated cores and prints the
 * phase, crypto, RAM and size tables. Instruction counts are exact (QEMU -icount
 * shift=0); see docs/BENCHMARKS.md ("On microcontroller cores") for what each row means.
 *
 *   npm run mcu:bench                   # Cortex-M33, Cortex-M4F and RV32IMAC
 *   npm run mcu:bench -- --board an505  # one core (an505, an386, rv32)
 *   npm run mcu:bench -- --quick        # skip the 1 MiB image, the creation and cut sweeps
 *   npm run mcu:bench -- --cuts 24      # power-cut points on the M33 (default 12; 0: none)
 *
 * Runs, per board: the native crypto entry, the noble entry, a signed 256 KiB and a
 * 1 MiB image received into flash kept in a host file (fresh each time), and the
 * `creation` sweep (XS heap growth steps) on noble's verify and on the 256 KiB download,
 * and on the Cortex-M33 a power-cut sweep: the 256 KiB download cut at flash operation N
 * (clean, and torn: half done), then relaunched on the same flash file until it ends;
 * each must resume and accept the image.
 * Fixtures (a test PKI's trust store, the signed images) are made here with the
 * project's own signing tools. Writes build/mcu/results.json and build/mcu/report.md.
 * Exit 0 all runs passed their checks, 1 a run failed, 2 usage, 3 a tool or the image is
 * missing.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BUILD } from '../../device/agent/index.js';
import { encodeTrustStore } from '../../device/pki/index.js';
import { makeLayout } from '../../device/storage/index.js';
import { signImage } from '../image/sign-image.js';
import { signDigestRaw } from '../pki/sign.js';
import { createTestPki } from '../pki/test-pki.js';
import {
  BOARDS,
  type BoardName,
  boardTools,
  buildDir,
  EXIT_FAILED,
  EXIT_MISSING,
  EXIT_USAGE,
  fail,
  missingTools,
  repo,
} from './mcu-env.js';
import { imageSizes, type SizeRow } from './sizes.js';

type Row = Record<string, string | number | boolean> & { table: string };

interface RunResult {
  board: BoardName;
  name: string;
  append: string;
  exitCode: number | null;
  rows: Row[];
  log: string;
}

const NEXT_VERSION = 0x01000100;

/** Signed images for the emulated device (DEFAULT_BUILD's identity), its trust store, and nothing else. */
function makeFixtures(dir: string, sizesKiB: number[]): void {
  mkdirSync(dir, { recursive: true });
  const pki = createTestPki();
  writeFileSync(path.join(dir, 'trust.bin'), encodeTrustStore(pki.trustStore));
  for (const kib of sizesKiB) {
    const payload = new Uint8Array(kib * 1024);
    let x = 0x9e3779b9;
    for (let i = 0; i < payload.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      payload[i] = x & 0xff;
    }
    const signed = signImage(
      {
        manufacturerCode: DEFAULT_BUILD.manufacturerCode,
        imageType: DEFAULT_BUILD.imageType,
        fileVersion: NEXT_VERSION,
        minHardwareVersion: 1,
        maxHardwareVersion: 4,
        payload,
        description: `althan-ota MCU benchmark ${kib} KiB`,
      },
      {
        manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
        chain: [pki.manufacturerSigner.der],
        supplier: (d) => signDigestRaw(pki.supplier1.privateKey, d),
      },
    );
    writeFileSync(path.join(dir, `image-${kib}.ota`), signed.file);
  }
}

const WYCHEPROOF = [
  { name: 'DER', file: 'ecdsa_secp256r1_sha256_test.json', format: 0 },
  { name: 'P1363', file: 'ecdsa_secp256r1_sha256_p1363_test.json', format: 1 },
] as const;

/** Wycheproof's P-256 files as records for platform/mcu/check-wycheproof (the format is in its header). */
function makeWycheproofFixtures(dir: string): void {
  for (const { name, file, format } of WYCHEPROOF) {
    const data = JSON.parse(readFileSync(path.join(repo, 'host-tests/vectors/wycheproof', file), 'utf8')) as {
      testGroups: {
        publicKey: { uncompressed: string };
        tests: { tcId: number; msg: string; sig: string; result: string }[];
      }[];
    };
    const records: Buffer[] = [];
    for (const group of data.testGroups) {
      const key = Buffer.from(group.publicKey.uncompressed, 'hex');
      for (const t of group.tests) {
        const sig = Buffer.from(t.sig, 'hex');
        const head = Buffer.alloc(6);
        head.writeUInt8(format, 0);
        head.writeUInt8(t.result === 'valid' ? 1 : 0, 1);
        head.writeUInt16LE(t.tcId, 2);
        head.writeUInt16LE(sig.length, 4);
        records.push(head, key, createHash('sha256').update(Buffer.from(t.msg, 'hex')).digest(), sig);
      }
    }
    writeFileSync(path.join(dir, `wycheproof-${name}.bin`), Buffer.concat(records));
  }
}

/** A fresh, erased flash file the size of DEFAULT_BUILD's layout (both banks, metadata, boot records, journal). */
function freshFlash(file: string): void {
  const geometry = { size: 0x7fffffff, sectorSize: 4096, writeAlign: 4, erasedValue: 0xff as const };
  const used = makeLayout(geometry, DEFAULT_BUILD.layout).used;
  writeFileSync(file, new Uint8Array(used).fill(0xff));
}

function runQemu(board: BoardName, name: string, append: string, cwd: string): RunResult {
  const elf = path.join(buildDir(), board, 'mcu.elf');
  const { qemu, qemuArgs } = boardTools(board);
  const args = [
    '-M',
    BOARDS[board].machine,
    ...qemuArgs,
    '-nographic',
    '-monitor',
    'none',
    '-semihosting-config',
    'enable=on,target=native',
    '-icount',
    'shift=0',
    '-kernel',
    elf,
    '-append',
    append,
  ];
  const started = Date.now();
  const result = spawnSync(qemu, args, {
    cwd,
    encoding: 'utf8',
    timeout: 900_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const rows: Row[] = [];
  for (const line of log.split('\n')) {
    const at = line.indexOf('mcu-row ');
    if (at >= 0) rows.push(JSON.parse(line.slice(at + 8)) as Row);
  }
  process.stdout.write(
    `mcu: ${board} ${name}: exit ${result.status ?? result.signal} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return { board, name, append, exitCode: result.status, rows, log };
}

const fmt = (n: unknown): string =>
  typeof n === 'number' ? (Number.isInteger(n) ? n.toLocaleString('en-GB') : n.toFixed(2)) : String(n);

function table(headers: string[], lines: unknown[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.map(fmt).join(' | ')} |`),
  ].join('\n');
}

function report(results: RunResult[], sizes: Map<BoardName, SizeRow[]>): string {
  const out: string[] = [];
  const isMain = (r: RunResult) => !r.name.startsWith('creation');
  for (const board of new Set(results.map((r) => r.board))) {
    const runs = results.filter((r) => r.board === board);
    out.push(`### ${BOARDS[board].label}\n`);
    const phases: unknown[][] = [];
    for (const r of runs.filter(isMain)) {
      for (const row of r.rows.filter((x) => x.table === 'phase')) {
        if (String(row.phase).startsWith('reset to') && r.name !== 'native crypto' && r.name !== 'noble crypto')
          continue;
        phases.push([r.name, row.phase, row.instructions, row.perKiB ?? '', row.gc ?? '']);
      }
    }
    out.push('Instructions per phase\n', table(['run', 'phase', 'instructions', 'per KiB', 'GCs'], phases), '');
    const crypto: unknown[][] = [];
    for (const r of runs.filter(isMain)) {
      for (const row of r.rows.filter((x) => x.table === 'sha256'))
        crypto.push([`SHA-256 ${row.port}, ${row.update}-byte updates`, row.perKiB, 'per KiB', row.right]);
      for (const row of r.rows.filter((x) => x.table === 'building-block'))
        crypto.push([row.step, row.perKiB, 'per KiB', '']);
      for (const row of r.rows.filter((x) => x.table === 'p256'))
        crypto.push([
          `P-256 verify, ${row.port} (run ${row.run})`,
          row.instructions,
          `${row.gc} GCs`,
          row.valid && row.refused,
        ]);
    }
    out.push('Crypto and building blocks\n', table(['what', 'instructions', 'unit', 'answer right'], crypto), '');
    const wycheproof = runs.flatMap((r) =>
      r.rows
        .filter((x) => x.table === 'wycheproof')
        .map((row) => [r.name, row.cases, row.valid, row.wrong, row.perValidVerify]),
    );
    if (wycheproof.length)
      out.push(
        'Wycheproof ECDSA P-256 on the core, native port (device/platform/moddable/p256-native.ts)\n',
        table(['vectors', 'cases', 'valid', 'answered wrong', 'instructions per valid verify'], wycheproof),
        '',
      );
    const ram: unknown[][] = [];
    for (const r of runs.filter(isMain)) {
      for (const row of r.rows.filter((x) => x.table === 'ram')) {
        ram.push([
          r.name,
          row.phase,
          row.slotHeap,
          row.chunkHeap,
          row.xsHeap,
          row.slotPeak,
          row.chunkPeak,
          row.stackPeak,
          row.gc,
          row.mallocHighWater,
          Number(row.heapTouched) + Number(row.cStackTouched) + Number(row.staticRam),
        ]);
      }
    }
    out.push(
      'RAM in bytes, at the end of each phase: the heaps XS holds, the peaks live during the phase, GCs so far; RAM touched = heap + C stack + .data/.bss\n',
      table(
        [
          'run',
          'phase',
          'slot heap',
          'chunk heap',
          'XS heap',
          'slot peak',
          'chunk peak',
          'XS stack peak',
          'GCs',
          'malloc high-water',
          'RAM touched',
        ],
        ram,
      ),
      '',
    );
    const stacks = runs
      .filter((r) => r.name === 'download 256 KiB')
      .flatMap((r) => r.rows.filter((x) => x.table === 'stack'))
      .map((x) => [x.phase, x.peak, x.atCall, Number(x.peak) - Number(x.atCall)]);
    if (stacks.length)
      out.push(
        "XS stack per phase of the 256 KiB download (bytes): the peak; what is in use where the benchmark calls the agent (about 2 KiB of it XS's intrinsics, which sit at the top of the XS stack on any device, the rest the benchmark's frames); the agent's share\n",
        table(['phase', 'XS stack peak', 'in use at the call', "agent's share"], stacks),
        '',
      );
    const creation: unknown[][] = [];
    for (const r of runs.filter((x) => x.name.startsWith('creation') && !x.name.endsWith('download'))) {
      const setting = r.name.slice('creation '.length);
      const download = runs.find((x) => x.name === `${r.name} download`);
      const verify = r.rows.find((x) => x.table === 'p256' && x.run === 2);
      const idle = r.rows.find((x) => x.table === 'ram');
      const path = download?.rows.find((x) => x.table === 'phase' && String(x.phase).startsWith('download path'));
      const dlRam = download?.rows.filter((x) => x.table === 'ram') ?? [];
      creation.push([
        setting,
        verify ? `${fmt(verify.instructions)} (${verify.gc} GCs)` : '',
        idle ? idle.xsHeap : '',
        path ? `${fmt(path.perKiB)} (${path.gc} GCs)` : '',
        dlRam.length ? Math.max(...dlRam.map((x) => Number(x.xsHeap))) : '',
      ]);
    }
    if (creation.length) {
      out.push(
        '`creation` (chunk = initial,increment bytes; heap = initial,increment slots of 16 bytes)\n',
        table(
          [
            'creation',
            'noble P-256 verify',
            'XS heap, noble loaded',
            'download path per KiB, native',
            'XS heap max, download',
          ],
          creation,
        ),
        '',
      );
    }
    const downloads = runs.flatMap((r) =>
      r.rows
        .filter((x) => x.table === 'download')
        .map((row) => [r.name, row.imageSize, row.blockSize, row.accepted, row.flashOperations, row.failure || '']),
    );
    const stackRun = runs.find((r) => r.name.endsWith('4 KiB XS stack'));
    if (stackRun)
      downloads.push([
        stackRun.name,
        '',
        50,
        false,
        '',
        stackRun.log.includes('stack overflow') ? 'XS: JavaScript stack overflow' : `exit ${stackRun.exitCode}`,
      ]);
    if (downloads.length)
      out.push(
        'Downloads\n',
        table(['run', 'image bytes', 'block', 'accepted', 'flash program/erase ops', 'failure'], downloads),
        '',
      );
    const sz = sizes.get(board);
    if (sz)
      out.push(
        'Flash by part (bytes)\n',
        table(
          ['part', 'bytes'],
          sz.map((x) => [x.part, x.bytes]),
        ),
        '',
      );
  }
  return out.join('\n');
}

interface CutOutcome {
  point: number;
  torn: boolean;
  cutHappened: boolean;
  relaunches: number;
  resumedAt: number;
  accepted: boolean;
}

/** Cuts the 256 KiB download at `points` flash operations spread over a whole run, clean and torn, and relaunches each until it ends. */
function cutSweep(board: BoardName, points: number, totalOps: number, runDir: string): CutOutcome[] {
  const outcomes: CutOutcome[] = [];
  const flash = `flash-${board}-cut.bin`;
  for (let i = 0; i < points; i++) {
    const point = 1 + Math.floor((i * (totalOps - 1)) / Math.max(1, points - 1));
    for (const torn of [false, true]) {
      freshFlash(path.join(runDir, flash));
      const args = `platform/mcu/bench-download image=image-256.ota flash=${flash} trust=trust.bin block=50`;
      const cut = runQemu(
        board,
        `cut at ${point}${torn ? ' torn' : ''}`,
        `${args} cut=${point}${torn ? ' torn' : ''}`,
        runDir,
      );
      let last = cut;
      let relaunches = 0;
      while (last.exitCode !== 0 && relaunches < 3) {
        relaunches++;
        last = runQemu(board, `relaunch after cut at ${point}`, args, runDir);
      }
      const download = last.rows.find((r) => r.table === 'download');
      outcomes.push({
        point,
        torn,
        cutHappened: cut.exitCode === 5,
        relaunches,
        resumedAt: Number(download?.resumedAt ?? -1),
        accepted: download?.accepted === true && last.exitCode === 0,
      });
    }
  }
  return outcomes;
}

function cutReport(outcomes: CutOutcome[]): string {
  const accepted = outcomes.filter((o) => o.accepted).length;
  const lines = outcomes.map((o) => [
    o.point,
    o.torn ? 'torn' : 'clean',
    o.cutHappened,
    o.relaunches,
    o.resumedAt,
    o.accepted,
  ]);
  return [
    `Power cuts on the Cortex-M33 (256 KiB download, 50-byte blocks): ${outcomes.length} runs, ${accepted} resumed and accepted the image, ${outcomes.length - accepted} did not.\n`,
    table(['cut at flash operation', 'kind', 'cut happened', 'relaunches', 'resumed at byte', 'accepted'], lines),
    '',
  ].join('\n');
}

interface Sizing {
  agentByteCode: number;
  preloadObjects: number;
  agentPreloaded: number;
}

/** The issue's targets, each with what was measured on the Cortex-M33 and whether it is met. */
function targets(results: RunResult[], sizing: Sizing | undefined): string {
  const m33 = results.filter((r) => r.board === 'an505');
  const lines: unknown[][] = [];
  const downloads = m33.filter((r) => /^download \d+ KiB$/.test(r.name));
  for (const r of downloads) {
    const ram = r.rows.filter((x) => x.table === 'ram');
    const heap = Math.max(...ram.map((x) => Number(x.xsHeap)));
    const stack = Math.max(...ram.map((x) => Number(x.stackPeak)));
    lines.push([
      `XS heap (slot + chunk) ≤ 48 KiB, ${r.name.slice(9)} image, native crypto`,
      `${(heap / 1024).toFixed(1)} KiB`,
      heap <= 48 * 1024 ? 'met' : 'not met',
    ]);
    lines.push([
      `XS stack ≤ 4 KiB, ${r.name.slice(9)} image`,
      `peak ${(stack / 1024).toFixed(1)} KiB`,
      stack <= 4096 ? 'met' : 'not met',
    ]);
    const path = r.rows.find((x) => x.table === 'phase' && String(x.phase).startsWith('download path'));
    if (path)
      lines.push([
        `download path ≤ 2 M instructions per KiB (50-byte blocks, native SHA-256), ${r.name.slice(9)} image`,
        fmt(path.perKiB),
        Number(path.perKiB) <= 2_000_000 ? 'met' : 'not met',
      ]);
  }
  const verify = (port: string) =>
    m33.flatMap((r) => r.rows).find((x) => x.table === 'p256' && x.port === port && x.run === 2);
  const noble = verify('noble');
  const native = verify('native');
  if (noble && native) {
    const ratio = Number(noble.instructions) / Number(native.instructions);
    lines.push([
      'native P-256 verify ≥ 10× fewer instructions than noble',
      `${ratio.toFixed(1)}× (${fmt(native.instructions)} vs ${fmt(noble.instructions)})`,
      ratio >= 10 ? 'met' : 'not met',
    ]);
  }
  if (sizing)
    lines.push([
      "agent's preloaded JS ≤ 96 KB",
      `${fmt(sizing.agentPreloaded)} bytes (byte code ${fmt(sizing.agentByteCode)}, ROM objects ${fmt(sizing.preloadObjects)})`,
      sizing.agentPreloaded <= 96_000 ? 'met' : 'not met',
    ]);
  return table(['target (Cortex-M33)', 'measured', ''], lines);
}

/** One column per core: what mcu:bench measures on each, side by side (run 2 of each verify; the 256 KiB download). */
function coreSummary(results: RunResult[], sizes: Map<BoardName, SizeRow[]>): string {
  const boards = [...new Set(results.map((r) => r.board))];
  const rowsOf = (board: BoardName) => results.filter((r) => r.board === board).flatMap((r) => r.rows);
  const of = (board: BoardName, name: string) => results.find((r) => r.board === board && r.name === name)?.rows ?? [];
  const verify = (board: BoardName, port: string) =>
    rowsOf(board).find((x) => x.table === 'p256' && x.port === port && x.run === 2)?.instructions;
  const sha = (board: BoardName, port: string, update: number) =>
    rowsOf(board).find((x) => x.table === 'sha256' && x.port === port && x.update === update)?.perKiB;
  const phase = (board: BoardName, run: string, prefix: string) =>
    of(board, run).find((x) => x.table === 'phase' && String(x.phase).startsWith(prefix));
  const ramMax = (board: BoardName, run: string, field: string) => {
    const values = of(board, run)
      .filter((x) => x.table === 'ram')
      .map((x) => Number(x[field]));
    return values.length ? Math.max(...values) : undefined;
  };
  const ratio = (board: BoardName) => {
    const n = Number(verify(board, 'native'));
    const p = Number(verify(board, 'noble'));
    return n && p ? `${(p / n).toFixed(1)}×` : undefined;
  };
  const lines: [string, (b: BoardName) => unknown][] = [
    ['P-256 verify, native port (instructions)', (b) => verify(b, 'native')],
    ['P-256 verify, noble (instructions)', (b) => verify(b, 'noble')],
    ['noble / native', ratio],
    ['SHA-256 native, per KiB (64-byte updates)', (b) => sha(b, 'native', 64)],
    ['SHA-256 noble, per KiB (64-byte updates)', (b) => sha(b, 'noble', 64)],
    [
      'download path per KiB, 50-byte blocks (256 KiB image)',
      (b) => phase(b, 'download 256 KiB', 'download path')?.perKiB,
    ],
    ['download path per KiB, 1 KiB blocks', (b) => phase(b, 'download 256 KiB, 1 KiB blocks', 'download path')?.perKiB],
    [
      'authentication (header … chain), instructions',
      (b) => phase(b, 'download 256 KiB', 'authentication')?.instructions,
    ],
    ['reset to XS machine ready, instructions', (b) => phase(b, 'native crypto', 'reset to XS')?.instructions],
    ['XS heap max, 256 KiB download (bytes)', (b) => ramMax(b, 'download 256 KiB', 'xsHeap')],
    ['XS stack peak, 256 KiB download (bytes)', (b) => ramMax(b, 'download 256 KiB', 'stackPeak')],
    ['malloc high-water, 256 KiB download (bytes)', (b) => ramMax(b, 'download 256 KiB', 'mallocHighWater')],
    ['XS engine (flash bytes)', (b) => sizes.get(b)?.find((x) => x.part === 'XS engine')?.bytes],
    ['total flash (bytes)', (b) => sizes.get(b)?.find((x) => x.part === 'total flash')?.bytes],
  ];
  return table(
    ['per core', ...boards.map((b) => BOARDS[b].core)],
    lines.map(([label, get]) => [label, ...boards.map((b) => get(b) ?? '')]),
  );
}

const DOCS_BEGIN = '<!-- mcu:begin (npm run mcu:bench -- --docs rewrites this section) -->';
const DOCS_END = '<!-- mcu:end -->';

/** Replaces (or appends) the MCU section of docs/BENCHMARKS.md, keeping the whole-update part `npm run mcu:e2e -- --docs` writes. */
function writeDocs(section: string): void {
  const file = path.join(repo, 'docs/BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(DOCS_BEGIN);
  const end = text.indexOf(DOCS_END);
  const e2eBegin = text.indexOf('<!-- mcu-e2e:begin');
  const e2eEnd = text.indexOf('<!-- mcu-e2e:end -->');
  const e2e =
    begin >= 0 && e2eBegin > begin && e2eEnd > e2eBegin && e2eEnd < end
      ? `${text.slice(e2eBegin, e2eEnd + '<!-- mcu-e2e:end -->'.length)}\n`
      : '';
  const block = `${DOCS_BEGIN}\n${section}\n${e2e}${DOCS_END}`;
  writeFileSync(
    file,
    begin >= 0 && end > begin
      ? `${text.slice(0, begin)}${block}${text.slice(end + DOCS_END.length)}`
      : `${text.trimEnd()}\n\n${block}\n`,
  );
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        board: { type: 'string' },
        quick: { type: 'boolean' },
        docs: { type: 'boolean' },
        cuts: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(EXIT_USAGE, (e as Error).message);
  }
  const boards = (values.board ? [values.board] : Object.keys(BOARDS)) as BoardName[];
  for (const b of boards)
    if (!(b in BOARDS)) fail(EXIT_USAGE, `unknown board "${b}" (known: ${Object.keys(BOARDS).join(', ')})`);
  const missing = missingTools([...new Set(boards.flatMap((b) => [boardTools(b).emulator, boardTools(b).compiler]))]);
  for (const b of boards)
    if (!existsSync(path.join(buildDir(), b, 'mcu.elf')))
      missing.push(`build/mcu/${b}/mcu.elf: run npm run mcu:build first`);
  if (missing.length > 0) fail(EXIT_MISSING, `cannot run the MCU image:\n  - ${missing.join('\n  - ')}`);

  const runDir = path.join(buildDir(), 'run');
  const imageKiB = values.quick ? [256] : [256, 1024];
  makeFixtures(runDir, imageKiB);
  if (!values.quick) makeWycheproofFixtures(runDir);
  const results: RunResult[] = [];
  for (const board of boards) {
    results.push(runQemu(board, 'native crypto', 'platform/mcu/bench-native', runDir));
    results.push(runQemu(board, 'noble crypto', 'platform/mcu/bench-noble stack=512', runDir));
    if (!values.quick)
      for (const { name } of WYCHEPROOF)
        results.push(
          runQemu(board, `Wycheproof ${name}`, `platform/mcu/check-wycheproof vectors=wycheproof-${name}.bin`, runDir),
        );
    for (const kib of imageKiB) {
      const flash = `flash-${board}-${kib}.bin`;
      freshFlash(path.join(runDir, flash));
      results.push(
        runQemu(
          board,
          `download ${kib} KiB`,
          `platform/mcu/bench-download image=image-${kib}.ota flash=${flash} trust=trust.bin block=50`,
          runDir,
        ),
      );
    }
    // The same image in 1 KiB blocks: what the path costs per byte, without the per-block share.
    freshFlash(path.join(runDir, `flash-${board}-blocks.bin`));
    results.push(
      runQemu(
        board,
        'download 256 KiB, 1 KiB blocks',
        `platform/mcu/bench-download image=image-256.ota flash=flash-${board}-blocks.bin trust=trust.bin block=1024`,
        runDir,
      ),
    );
    // The XS stack the archive's creation gives (512 slots, 8 KiB) cut to the 4 KiB target.
    freshFlash(path.join(runDir, `flash-${board}-stack.bin`));
    results.push(
      runQemu(
        board,
        'download 256 KiB, 4 KiB XS stack',
        `platform/mcu/bench-download image=image-256.ota flash=flash-${board}-stack.bin trust=trust.bin block=50 stack=256`,
        runDir,
      ),
    );
    if (!values.quick) {
      for (const creation of [
        'chunk=1536,512 heap=512,64',
        'chunk=4096,1024 heap=1024,256',
        'chunk=16384,4096 heap=2048,1024',
      ]) {
        results.push(runQemu(board, `creation ${creation}`, `platform/mcu/bench-noble stack=512 ${creation}`, runDir));
        const flash = `flash-${board}-creation.bin`;
        freshFlash(path.join(runDir, flash));
        results.push(
          runQemu(
            board,
            `creation ${creation} download`,
            `platform/mcu/bench-download image=image-256.ota flash=${flash} trust=trust.bin block=50 ${creation}`,
            runDir,
          ),
        );
      }
    }
  }
  const archiveDir = path.join(buildDir(), 'mcconfig/tmp/pico/release/mcu');
  const sizes = new Map<BoardName, SizeRow[]>(
    boards.map((b) => [b, imageSizes(path.join(buildDir(), b), archiveDir, boardTools(b))]),
  );
  const cutPoints = values.quick ? 0 : Number(values.cuts ?? '12');
  if (!Number.isInteger(cutPoints) || cutPoints < 0)
    fail(EXIT_USAGE, `--cuts takes a whole number, not "${values.cuts}"`);
  let cuts: CutOutcome[] = [];
  const reference = results
    .find((r) => r.board === 'an505' && r.name === 'download 256 KiB')
    ?.rows.find((x) => x.table === 'download');
  if (cutPoints > 0 && reference) cuts = cutSweep('an505', cutPoints, Number(reference.flashOperations), runDir);
  const sizingFile = path.join(buildDir(), 'sizing.json');
  const sizing = existsSync(sizingFile) ? (JSON.parse(readFileSync(sizingFile, 'utf8')) as Sizing) : undefined;
  const text = `${targets(results, sizing)}\n\n${coreSummary(results, sizes)}\n\n${cuts.length ? `${cutReport(cuts)}\n` : ''}${report(results, sizes)}`;
  if (values.docs) {
    const command = `npm run mcu:build && npm run mcu:bench -- --docs${values.board ? ` --board ${values.board}` : ''}${values.quick ? ' --quick' : ''}`;
    writeDocs(
      [
        '## On microcontroller cores (QEMU, exact instruction counts)',
        '',
        `Made by \`${command}\` (tools/mcu/, docs/PORTING.md "MCU cores"); date ${new Date().toISOString()}.`,
        "The agent's modules preloaded by the Moddable SDK (8.2.3, XS 17.9.1) into the archive for `pico`, linked with",
        'XS and device/platform/mcu/ for bare-metal Cortex-M and RV32 and run under `qemu-system-arm` or',
        '`qemu-system-riscv32` with `-icount shift=0`: one instruction is one count, the same on every run.',
        'Crypto: "native" is the SDK\'s `crypt` Digest and its',
        '`modules/crypt/arith` under the checks of device/ecdsa/ (device/platform/moddable/p256-native.ts, the port',
        'every Moddable platform uses); "noble" the portable ports.',
        '',
        text,
      ].join('\n'),
    );
  }
  writeFileSync(
    path.join(buildDir(), 'results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), results: results.map(({ log, ...r }) => r), sizes: Object.fromEntries(sizes) }, null, 1)}\n`,
  );
  writeFileSync(path.join(buildDir(), 'report.md'), `${text}\n`);
  process.stdout.write(`\n${text}\n`);
  // The 4 KiB-stack run is expected to stop with XS's stack overflow (exit 3): it measures the target, not a regression.
  const failed = results.filter((r) => r.exitCode !== 0 && !(r.name.endsWith('4 KiB XS stack') && r.exitCode === 3));
  for (const o of cuts.filter((x) => !x.accepted))
    process.stderr.write(
      `mcu: cut at flash operation ${o.point}${o.torn ? ' (torn)' : ''}: the image was not accepted after ${o.relaunches} relaunches\n`,
    );
  if (cuts.some((o) => !o.accepted)) process.exit(EXIT_FAILED);
  for (const r of failed)
    process.stderr.write(
      `mcu: ${r.board} ${r.name} failed (exit ${r.exitCode}):\n${r.log.split('\n').slice(-8).join('\n')}\n`,
    );
  process.exit(failed.length ? EXIT_FAILED : 0);
}

main();
