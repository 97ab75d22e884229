/**
 * Builds the MCU image: the agent's modules preloaded into an XS archive by the user's
 * Moddable SDK (`mcconfig -p pico`, which writes mc.xs.c; nothing of the RP2040 is used),
 * linked with XS and this project's bare-metal platform layer (device/platform/mcu/) for
 * the emulated Cortex-M33 (QEMU mps2-an505), Cortex-M4F (mps2-an386) and RV32IMAC (virt).
 *
 *   npm run mcu:build                  # every board, into build/mcu/<board>/mcu.elf
 *   npm run mcu:build -- --board an505
 *   npm run mcu:build -- --agent-variants  # also v1, v2 and broken v2 of the update run (agent-variants.ts)
 *
 * Needs: $MODDABLE (a built SDK: mcconfig, xsc, xsl in $MODDABLE/build/bin/lin/release),
 * `tsc` on PATH or in node_modules/.bin, arm-none-eabi-gcc with newlib (Debian
 * gcc-arm-none-eabi, libnewlib-arm-none-eabi; for rv32 riscv64-unknown-elf-gcc with picolibc:
 * gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf), make, cmake (the SDK's pico makefile
 * checks for it) and git. The SDK's pico makefile also insists on a pico-sdk folder; when
 * $PICO_SDK_DIR is not set, an empty tagged placeholder is made under build/mcu/ (no file
 * of it is compiled). Exit 0 built, 3 something missing (named on stderr), 1 a step failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { linkAgentVariants } from './agent-variants.js';
import {
  BOARDS,
  type BoardName,
  boardTools,
  buildDir,
  fail,
  missingTools,
  repo,
  EXIT_MISSING,
  EXIT_FAILED,
} from './mcu-env.js';

/** Native sources the generated archive lists that this platform replaces (preferences: none on the MCU). */
const REPLACED_SOURCES = [/\/preference\/.*modPreference\.c$/];

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): void {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repo,
    env: options.env ?? process.env,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    if (options.quiet)
      process.stderr.write(`${result.stderr ?? ''}${(result.stdout ?? '').split('\n').slice(-20).join('\n')}`);
    fail(EXIT_FAILED, `${command} ${args.slice(0, 3).join(' ')} … failed (exit ${result.status ?? result.signal})`);
  }
}

/** The pico makefile runs `git describe` in $PICO_SDK_DIR; an empty repository tagged with the expected version satisfies it. */
function picoRoot(out: string): { root: string; sdk: string } {
  if (process.env.PICO_SDK_DIR) {
    const sdk = path.resolve(process.env.PICO_SDK_DIR);
    return { root: path.dirname(sdk), sdk };
  }
  const root = path.join(out, 'pico-placeholder');
  const sdk = path.join(root, 'pico-sdk');
  if (!existsSync(path.join(sdk, '.git'))) {
    mkdirSync(sdk, { recursive: true });
    mkdirSync(path.join(root, 'pico-examples'), { recursive: true });
    const git = ['-c', 'user.email=build@localhost', '-c', 'user.name=build'];
    run('git', ['init', '-q', sdk], { quiet: true });
    run('git', [...git, '-C', sdk, 'commit', '-q', '--allow-empty', '-m', 'placeholder for the SDK pico makefile'], {
      quiet: true,
    });
    run('git', ['-C', sdk, 'tag', '2.2.0'], { quiet: true });
  }
  return { root, sdk };
}

/** Runs mcconfig for `pico`, then only the generated makefile's archive targets (mc.xs.c, mc.resources.c). */
function buildArchive(
  out: string,
  env: NodeJS.ProcessEnv,
  manifest = 'device/platform/mcu/manifest.json',
  folder = 'mcconfig',
): string {
  const archiveOut = path.join(out, folder);
  rmSync(archiveOut, { recursive: true, force: true });
  mkdirSync(archiveOut, { recursive: true });
  run('mcconfig', ['-p', 'pico', '-o', archiveOut, manifest], { env });
  // mcconfig names the application after the manifest's folder.
  const archiveDir = path.join(archiveOut, 'tmp/pico/release', path.basename(path.dirname(manifest)));
  const { root, sdk } = picoRoot(out);
  const makeVars = [`PICO_ROOT=${root}`, `PICO_SDK_DIR=${sdk}`, 'PICO_GCC_ROOT=/usr', 'PIOASM=/bin/true'];
  process.stdout.write('mcu: xsc/xsl: compiling and preloading the modules (about 30 s)\n');
  run(
    'make',
    ['-f', 'makefile', ...makeVars, path.join(archiveDir, 'mc.xs.c'), path.join(archiveDir, 'mc.resources.c')],
    {
      cwd: archiveDir,
      env,
      quiet: true,
    },
  );
  return archiveDir;
}

/** The native sources and include folders the manifest brought in, as the generated makefile lists them. */
function nativeModules(archiveDir: string): { sources: string[]; includes: string[] } {
  const makefile = readFileSync(path.join(archiveDir, 'makefile'), 'utf8');
  const sources = [...makefile.matchAll(/^\$\(TMP_DIR\)\/\S+\.c\.xsi: (\S+\.c)$/gm)]
    .map((m) => m[1] as string)
    .filter((s) => !REPLACED_SOURCES.some((r) => r.test(s)));
  const lines = makefile.split('\n');
  const includes: string[] = [];
  for (let i = lines.indexOf('DIRECTORIES =\\') + 1; i > 0 && lines[i]?.startsWith('\t-I'); i++) {
    includes.push((lines[i] as string).slice(3).replace(/\\$/, ''));
  }
  return { sources, includes };
}

/**
 * The agent's modules, with the ports the MCU image runs it over (the lin link, transport,
 * activation, reporter and boot control; the phase marks): a preloaded port imports agent
 * modules, so leaving it preloaded in the sizing variant kept them preloaded there too.
 */
const AGENT_PRELOAD =
  /^(errors|ports|(util|pki|image|storage|zigbee|agent|ecdsa)\/.*|platform\/lin\/.*|platform\/mcu\/agent-marks)$/;

/**
 * What preloading the agent costs in flash: the same archive built again with the agent's
 * modules left out of `preload` (their byte code then sits in the archive as plain
 * modules). Agent's preloaded JS = its byte code + (archive preloaded − archive not
 * preloaded), the second term being the ROM objects, keys and strings preloading adds.
 * Written to build/mcu/sizing.json for tools/mcu/sizes.ts.
 */
function measureAgentPreload(out: string, env: NodeJS.ProcessEnv, archiveDir: string): void {
  const real = 'device/platform/mcu/manifest.json';
  const variant = 'device/platform/mcu/manifest.sizing.json';
  const manifest = JSON.parse(readFileSync(real, 'utf8')) as { preload: string[] };
  manifest.preload = manifest.preload.filter((m) => !AGENT_PRELOAD.test(m));
  writeFileSync(variant, `${JSON.stringify(manifest, null, 2)}\n`);
  let variantDir: string;
  try {
    variantDir = buildArchive(out, env, variant, 'sizing');
  } finally {
    rmSync(variant, { force: true });
  }
  const cc = [
    '-mcpu=cortex-m33',
    '-mthumb',
    '-mfloat-abi=hard',
    '-mfpu=fpv5-sp-d16',
    '-Os',
    '-w',
    '-DMCU_BOARD_AN505',
    '-DPICO_BUILD=1',
    '-DmxUseDefaultSharedChunks=1',
    '-DNDEBUG',
    '-DmxInstrument=1',
    '-DMODINSTRUMENTATION=1',
  ];
  const includes = [
    'device/platform/mcu/c',
    'device/platform/mcu/c/include',
    'xs/includes',
    'xs/sources',
    'xs/platforms/pico',
    'xs/platforms/mc',
    'build/devices/pico',
  ].map((d) => `-I${d.startsWith('device') ? d : path.join(process.env.MODDABLE as string, d)}`);
  const bytes: Record<string, number> = {};
  for (const [name, dir] of [
    ['preloaded', archiveDir],
    ['notPreloaded', variantDir],
  ] as const) {
    const object = path.join(out, 'sizing', `${name}.o`);
    run('arm-none-eabi-gcc', [...cc, `-I${dir}`, ...includes, '-c', path.join(dir, 'mc.xs.c'), '-o', object], {
      quiet: true,
    });
    const size = spawnSync('arm-none-eabi-size', ['-A', object], { encoding: 'utf8' }).stdout ?? '';
    bytes[name] = [...size.matchAll(/^\.(?:text|rodata|data)\S*\s+(\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  }
  const source = readFileSync(path.join(variantDir, 'mc.xs.c'), 'utf8');
  let agentByteCode = 0;
  for (const m of source.matchAll(/\(txS1\*\)gxCode\d+, (\d+), NULL, 0, "([^"]+)"/g))
    if (AGENT_PRELOAD.test(m[2] as string)) agentByteCode += Number(m[1]);
  const preloadObjects = (bytes.preloaded ?? 0) - (bytes.notPreloaded ?? 0);
  const sizing = {
    agentByteCode,
    preloadObjects,
    agentPreloaded: agentByteCode + preloadObjects,
    archivePreloaded: bytes.preloaded,
    archiveNotPreloaded: bytes.notPreloaded,
  };
  writeFileSync(path.join(out, 'sizing.json'), `${JSON.stringify(sizing, null, 1)}\n`);
  process.stdout.write(
    `mcu: agent's preloaded JS ${sizing.agentPreloaded} bytes (byte code ${agentByteCode}, ROM objects ${preloadObjects})\n`,
  );
}

function main(): void {
  let values: { board?: string; 'no-sizing'?: boolean; 'agent-variants'?: boolean } = {};
  try {
    ({ values } = parseArgs({
      options: { board: { type: 'string' }, 'no-sizing': { type: 'boolean' }, 'agent-variants': { type: 'boolean' } },
      strict: true,
    }));
  } catch (e) {
    fail(
      2,
      `${(e as Error).message}\n  usage: npm run mcu:build [-- --board ${Object.keys(BOARDS).join('|')}] [--no-sizing] [--agent-variants]`,
    );
  }
  const boards = values.board ? [values.board] : Object.keys(BOARDS);
  for (const b of boards)
    if (!(b in BOARDS)) fail(2, `unknown board "${b}" (known: ${Object.keys(BOARDS).join(', ')})`);
  // The agent's preloaded-JS sizing compiles the archive for the Cortex-M33 whatever the boards.
  const compilers = new Set([
    ...(boards as BoardName[]).map((b) => boardTools(b).compiler),
    ...(values['no-sizing'] ? [] : (['arm-gcc'] as const)),
  ]);
  const missing = missingTools(['moddable', 'tsc', ...compilers, 'make', 'cmake', 'git']);
  if (missing.length > 0) fail(EXIT_MISSING, `cannot build the MCU image:\n  - ${missing.join('\n  - ')}`);

  const out = buildDir();
  mkdirSync(out, { recursive: true });
  const moddable = process.env.MODDABLE as string;
  const env = {
    ...process.env,
    PATH: [path.join(moddable, 'build/bin/lin/release'), path.join(repo, 'node_modules/.bin'), process.env.PATH].join(
      ':',
    ),
  };
  const archiveDir = buildArchive(out, env);
  const { sources, includes } = nativeModules(archiveDir);
  for (const board of boards as BoardName[]) {
    process.stdout.write(`mcu: linking for ${BOARDS[board].label}\n`);
    run(
      'make',
      [
        '-j2',
        '-f',
        'device/platform/mcu/Makefile',
        `MODDABLE=${moddable}`,
        `ARCHIVE_DIR=${archiveDir}`,
        `OUT=${path.join(out, board)}`,
        `BOARD=${board}`,
        `MODULE_SRCS=${sources.join(' ')}`,
        `MODULE_INCS=${includes.join(' ')}`,
        ...(process.env.MCU_DEFINES ? [`EXTRA_DEFINES=${process.env.MCU_DEFINES}`] : []),
      ],
      { quiet: true },
    );
    process.stdout.write(`mcu: ${path.relative(repo, path.join(out, board, 'mcu.elf'))}\n`);
    // The update run's link to the supervisor is wired on the Cortex-M boards' second UART only.
    if (values['agent-variants'] && board === 'rv32')
      process.stdout.write('mcu: no agent variants for RV32 (its board has no link to the supervisor)\n');
    else if (values['agent-variants']) {
      const makeArgs = [
        '-j2',
        '-f',
        'device/platform/mcu/Makefile',
        `MODDABLE=${moddable}`,
        `ARCHIVE_DIR=${archiveDir}`,
        `BOARD=${board}`,
        `MODULE_SRCS=${sources.join(' ')}`,
        `MODULE_INCS=${includes.join(' ')}`,
      ];
      try {
        for (const elf of linkAgentVariants(
          path.join(out, board),
          makeArgs,
          process.env.MCU_DEFINES ?? '',
          boardTools(board).prefix,
        ))
          process.stdout.write(`mcu: ${path.relative(repo, elf)}\n`);
      } catch (e) {
        fail(EXIT_FAILED, (e as Error).message);
      }
    }
  }
  if (!values['no-sizing']) measureAgentPreload(out, env, archiveDir);
}

main();
