/**
 * Builds the lin variants with the Moddable SDK the user installed ($MODDABLE): one
 * source (manifest.lin.json), a version constant and a variant per build, all sharing the
 * files root (the run directory) and the link port. Nothing of the SDK is in the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Tools {
  moddable: string;
  mcconfig: string;
  mcsim: string;
  binPath: string;
}

/** What is missing to build and run the lin build (empty when nothing is). */
export function missingTools(repo: string): { tools?: Tools; missing: string[] } {
  const missing: string[] = [];
  const moddable = process.env.MODDABLE;
  if (!moddable)
    missing.push(
      '$MODDABLE is not set (install the Moddable SDK from its own instructions, then export MODDABLE=<its folder>)',
    );
  const bin = moddable ? join(moddable, 'build/bin/lin/release') : '';
  const mcconfig = join(bin, 'mcconfig');
  const mcsim = join(bin, 'mcsim');
  if (moddable && !existsSync(mcconfig))
    missing.push(`${mcconfig} is missing (build the SDK tools: make in $MODDABLE/build/makefiles/lin)`);
  if (moddable && !existsSync(mcsim)) missing.push(`${mcsim} is missing (built with the SDK tools)`);
  if (!existsSync(join(repo, 'node_modules/.bin/tsc')))
    missing.push('node_modules/.bin/tsc is missing (npm ci): mcconfig runs tsc from PATH');
  for (const cmd of ['Xvfb', 'stdbuf', 'make', 'cc']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      missing.push(
        `${cmd} is not on PATH${cmd === 'Xvfb' ? ' (apt-get install xvfb xauth: mcsim needs a display)' : ''}`,
      );
    }
  }
  return missing.length
    ? { missing }
    : {
        missing,
        tools: { moddable: moddable!, mcconfig, mcsim, binPath: `${bin}:${join(repo, 'node_modules/.bin')}` },
      };
}

export interface BuildSpec {
  name: string;
  version: number;
  variant: 'good' | 'selftest-fail' | 'exit-at-start' | 'conformance';
}

/**
 * Builds one variant (mcconfig -i -m -p lin: release, with XS's instrumentation) and
 * returns its mc.so bytes. Variants share one output folder, so only what the config
 * changes is compiled again.
 */
export function buildVariant(
  repo: string,
  tools: Tools,
  out: string,
  spec: BuildSpec,
  config: { runDir: string; port: number; blockSize: number },
): Uint8Array {
  const dir = join(out, 'mcconfig');
  mkdirSync(dir, { recursive: true });
  execFileSync(
    tools.mcconfig,
    [
      '-i',
      '-m',
      '-p',
      'lin',
      '-o',
      dir,
      join(repo, 'manifest.lin.json'),
      `version=${spec.version}`,
      `variant=${spec.variant}`,
      `files=${config.runDir}`,
      `port=${config.port}`,
      `blockSize=${config.blockSize}`,
    ],
    {
      cwd: repo,
      env: { ...process.env, MODDABLE: tools.moddable, PATH: `${tools.binPath}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const so = findFile(join(dir, 'bin'), 'mc.so');
  if (!so) throw new Error(`no mc.so under ${dir}/bin after mcconfig`);
  return new Uint8Array(readFileSync(so));
}

function findFile(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (e === name) return p;
    if (statSync(p).isDirectory()) {
      const f = findFile(p, name);
      if (f) return f;
    }
  }
  return undefined;
}
