/**
 * The exit-code contract of every command (tools/command.ts, README "Exit codes"), as a
 * table of bad inputs: 0 done, 1 refused with its code, 2 usage error naming the flag,
 * 3 unreadable input (IO_*). Each row runs as text and, where the command takes --json,
 * with --json (exactly one JSON object on stdout). No row may print a stack trace.
 * The last block runs the real bin in a child process: a closed stdout, and --json errors.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../tools/commands/index.js';
import { tempDir } from '../pki/openssl.js';
import { runCli } from './run-cli.js';
import { otaImagesDir, repoRoot } from '../vectors/vectors.js';

const run = runCli;

const STACK = /\n\s+at .+[(:]\d+|Error: .*\n\s+at /;

/** The one JSON object stdout must hold. */
function oneObject(stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout.trim()) as unknown;
  expect(typeof value === 'object' && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

/** The code a JSON answer carries: error.code for errors, code for refusals. */
function codeOf(j: Record<string, unknown>): unknown {
  return (j.error as { code?: string } | undefined)?.code ?? j.code;
}

const dir = tempDir('althan-cli-contract-');
const at = (f: string) => path.join(dir, f);
const pki = (f: string) => at(`pki/${f}`);
const VENDOR = path.join(otaImagesDir, 'innr-1166-022d.ota');

/** Arguments of a `sign` that works, with `change` applied (a value of null drops the flag). */
function signArgs(change: Record<string, string | null> = {}): string[] {
  const base: Record<string, string> = {
    '--payload': at('fw.bin'),
    '--out': at('out.ota'),
    '--manufacturer-key': pki('manufacturer-signer.key.pem'),
    '--chain': pki('manufacturer-signer.pem'),
    '--supplier-key': pki('supplier1.key.pem'),
    '--manufacturer-code': '0x1234',
    '--image-type': '0x42',
    '--file-version': '0x01000001',
    '--hw-min': '1',
    '--hw-max': '4',
  };
  const merged = { ...base, ...change };
  return ['sign', ...Object.entries(merged).flatMap(([k, v]) => (v === null ? [] : [k, v]))];
}

beforeAll(async () => {
  expect((await run(['pki', 'init', at('pki')])).code).toBe(0);
  writeFileSync(
    at('fw.bin'),
    Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff),
  );
  expect((await run(signArgs({ '--out': at('fw.ota') }))).code).toBe(0);
  mkdirSync(at('a-directory'));
  const pem = readFileSync(pki('supplier1.pem'), 'latin1');
  writeFileSync(at('truncated.pem'), pem.slice(0, 300));
  writeFileSync(at('not-base64.pem'), pem.replace(/(-----\n)(.)/, '$1!'));
  writeFileSync(at('garbage.der'), Uint8Array.from([0x30, 0x82, 0x01, 0x00, 1, 2, 3]));
  writeFileSync(at('garbage.cbor'), 'not a trust store');
  // 5 KiB of prose before the PEM block: still PEM.
  writeFileSync(at('long-preamble.pem'), `${'Bag Attributes and notes. '.repeat(200)}\n${pem}`);
  writeFileSync(
    at('chain-long-preamble.pem'),
    `${'x'.repeat(6000)}\n${readFileSync(pki('supplier1-chain.pem'), 'latin1')}`,
  );
});

interface Case {
  args: () => string[];
  exit: 0 | 1 | 2 | 3;
  /** The stable code; omitted for exit 0. */
  code?: string;
  /** The command takes --json: run the row with it too. */
  json?: boolean;
}

const TABLE: Record<string, Record<string, Case>> = {
  verify: {
    accepted: { args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor')], exit: 0, json: true },
    'misspelt --current-verison is a usage error, not "accepted"': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--current-verison', '0x02000000'],
      exit: 2,
      code: 'USAGE_UNKNOWN_OPTION',
      json: true,
    },
    'the correctly spelt flag refuses the downgrade': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--current-version', '0x02000000'],
      exit: 1,
      code: 'IMG_DOWNGRADE',
      json: true,
    },
    '--current-version 0xffffffff is a device value: nothing is newer': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--current-version', '0xffffffff'],
      exit: 1,
      code: 'IMG_DOWNGRADE',
      json: true,
    },
    'unsigned vendor file': {
      args: () => ['verify', VENDOR, '--trust', pki('trust-store.cbor')],
      exit: 1,
      code: 'IMG_UNSIGNED',
      json: true,
    },
    'missing file': {
      args: () => ['verify', at('nope.ota'), '--trust', pki('trust-store.cbor')],
      exit: 3,
      code: 'IO_NOT_FOUND',
      json: true,
    },
    'a directory as FILE': {
      args: () => ['verify', at('a-directory'), '--trust', pki('trust-store.cbor')],
      exit: 3,
      code: 'IO_IS_DIRECTORY',
      json: true,
    },
    'a directory as --trust': {
      args: () => ['verify', at('fw.ota'), '--trust', at('a-directory')],
      exit: 3,
      code: 'IO_IS_DIRECTORY',
      json: true,
    },
    'a certificate as --trust': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('supplier1.pem')],
      exit: 3,
      code: 'IO_TRUST_STORE',
      json: true,
    },
    'garbage as --trust': {
      args: () => ['verify', at('fw.ota'), '--trust', at('garbage.cbor')],
      exit: 3,
      code: 'IO_TRUST_STORE',
      json: true,
    },
    'no --trust': { args: () => ['verify', at('fw.ota')], exit: 2, code: 'USAGE_REQUIRED', json: true },
    '--trust without its value': {
      args: () => ['verify', at('fw.ota'), '--trust'],
      exit: 2,
      code: 'USAGE_MISSING_VALUE',
      json: true,
    },
    '--trust given twice': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--trust', pki('trust-store.cbor')],
      exit: 2,
      code: 'USAGE_REPEATED_OPTION',
      json: true,
    },
    'a stray positional': {
      args: () => ['verify', at('fw.ota'), at('fw.ota'), '--trust', pki('trust-store.cbor')],
      exit: 2,
      code: 'USAGE_POSITIONAL',
      json: true,
    },
    '--hardware-version 0x10000 (16-bit)': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--hardware-version', '0x10000'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--bank-size 0': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--bank-size', '0'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--at not RFC 3339': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--at', 'tomorrow'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--json=yes (a switch takes no value)': {
      args: () => ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--json=yes'],
      exit: 2,
      code: 'USAGE_MISSING_VALUE',
    },
  },
  'cert verify': {
    valid: {
      args: () => ['cert', 'verify', pki('supplier1-chain.pem'), '--anchor', pki('smki-root.pem')],
      exit: 0,
      json: true,
    },
    'PEM after 5 KiB of other text': {
      args: () => [
        'cert',
        'verify',
        at('long-preamble.pem'),
        '--intermediate',
        pki('smki-org-ca.pem'),
        '--anchor',
        pki('smki-root.pem'),
      ],
      exit: 0,
      json: true,
    },
    'a chain file after 6 KB of other text': {
      args: () => ['cert', 'verify', at('chain-long-preamble.pem'), '--anchor', pki('smki-root.pem')],
      exit: 0,
      json: true,
    },
    'wrong anchor': {
      args: () => ['cert', 'verify', pki('supplier1-chain.pem'), '--anchor', pki('manufacturer-root.pem')],
      exit: 1,
      code: 'PKI_NO_PATH',
      json: true,
    },
    'a key file given as a certificate': {
      args: () => ['cert', 'verify', pki('supplier1.key.pem'), '--anchor', pki('smki-root.pem')],
      exit: 3,
      code: 'IO_PEM_WRONG_KIND',
      json: true,
    },
    'a truncated PEM': {
      args: () => ['cert', 'verify', at('truncated.pem'), '--anchor', pki('smki-root.pem')],
      exit: 3,
      code: 'IO_PEM_TRUNCATED',
      json: true,
    },
    'a PEM that is not base64': {
      args: () => ['cert', 'verify', at('not-base64.pem'), '--anchor', pki('smki-root.pem')],
      exit: 3,
      code: 'IO_PEM_BASE64',
      json: true,
    },
    'bytes that are not DER': {
      args: () => ['cert', 'verify', at('garbage.der'), '--anchor', pki('smki-root.pem')],
      exit: 3,
      code: 'IO_CERTIFICATE',
      json: true,
    },
    'a missing anchor file': {
      args: () => ['cert', 'verify', pki('supplier1.pem'), '--anchor', at('nope.pem')],
      exit: 3,
      code: 'IO_NOT_FOUND',
      json: true,
    },
    'no --anchor': {
      args: () => ['cert', 'verify', pki('supplier1.pem')],
      exit: 2,
      code: 'USAGE_REQUIRED',
      json: true,
    },
    'unknown --profile': {
      args: () => ['cert', 'verify', pki('supplier1.pem'), '--anchor', pki('smki-root.pem'), '--profile', 'x509'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    'two LEAF files': {
      args: () => ['cert', 'verify', pki('supplier1.pem'), pki('supplier2.pem'), '--anchor', pki('smki-root.pem')],
      exit: 2,
      code: 'USAGE_POSITIONAL',
      json: true,
    },
  },
  sign: {
    signs: { args: () => signArgs(), exit: 0, json: true },
    'a certificate given as a key': {
      args: () => signArgs({ '--supplier-key': pki('supplier1.pem') }),
      exit: 3,
      code: 'IO_PEM_WRONG_KIND',
      json: true,
    },
    'a certificate file given as a DER key': {
      args: () => signArgs({ '--supplier-key': pki('supplier1.der') }),
      exit: 3,
      code: 'IO_PRIVATE_KEY',
      json: true,
    },
    'the wrong manufacturer key': {
      args: () => signArgs({ '--manufacturer-key': pki('supplier2.key.pem') }),
      exit: 1,
      code: 'SIGN_KEY_MISMATCH',
      json: true,
    },
    'a chain of only the anchor': {
      args: () => signArgs({ '--chain': pki('manufacturer-root.pem') }),
      exit: 1,
      code: 'SIGN_CHAIN_ANCHOR_ONLY',
      json: true,
    },
    'a missing payload': {
      args: () => signArgs({ '--payload': at('nope.bin') }),
      exit: 3,
      code: 'IO_NOT_FOUND',
      json: true,
    },
    '--out is a directory': {
      args: () => signArgs({ '--out': at('a-directory') }),
      exit: 3,
      code: 'IO_WRITE',
      json: true,
    },
    '--out in a missing directory': {
      args: () => signArgs({ '--out': at('no/such/dir/x.ota') }),
      exit: 3,
      code: 'IO_WRITE',
      json: true,
    },
    '--file-version above 32 bits': {
      args: () => signArgs({ '--file-version': '0x100000000' }),
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--hw-min above --hw-max': {
      args: () => signArgs({ '--hw-min': '5' }),
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--header-string over 32 bytes': {
      args: () => signArgs({ '--header-string': 'x'.repeat(33) }),
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    'no --image-type': { args: () => signArgs({ '--image-type': null }), exit: 2, code: 'USAGE_REQUIRED', json: true },
    'both --supplier-key and --no-supplier-signature': {
      args: () => [...signArgs(), '--no-supplier-signature'],
      exit: 2,
      code: 'USAGE_REQUIRED',
      json: true,
    },
    'a stray positional': { args: () => [...signArgs(), 'extra'], exit: 2, code: 'USAGE_POSITIONAL', json: true },
  },
  'pki init': {
    'an existing set without --force': {
      args: () => ['pki', 'init', at('pki')],
      exit: 1,
      code: 'OUT_EXISTS',
      json: true,
    },
    'no DIR': { args: () => ['pki', 'init'], exit: 2, code: 'USAGE_POSITIONAL', json: true },
    'two DIRs': { args: () => ['pki', 'init', at('x'), at('y')], exit: 2, code: 'USAGE_POSITIONAL', json: true },
    '--force=yes': {
      args: () => ['pki', 'init', at('x'), '--force=yes'],
      exit: 2,
      code: 'USAGE_MISSING_VALUE',
      json: true,
    },
    'DIR is a file': { args: () => ['pki', 'init', at('fw.bin'), '--force'], exit: 3, code: 'IO_WRITE', json: true },
  },
  inspect: {
    'a vendor file': { args: () => ['inspect', VENDOR], exit: 0, json: true },
    'not an OTA file': { args: () => ['inspect', pki('supplier1.pem')], exit: 1, code: 'IMG_BAD_MAGIC', json: true },
    'missing file': { args: () => ['inspect', at('nope.ota')], exit: 3, code: 'IO_NOT_FOUND', json: true },
    'a directory': { args: () => ['inspect', at('a-directory')], exit: 3, code: 'IO_IS_DIRECTORY', json: true },
    'two files': { args: () => ['inspect', VENDOR, VENDOR], exit: 2, code: 'USAGE_POSITIONAL', json: true },
  },
  simulate: {
    '--loss 2': { args: () => ['simulate', '--loss', '2'], exit: 2, code: 'USAGE_BAD_VALUE', json: true },
    "--loss ''": { args: () => ['simulate', '--loss', ''], exit: 2, code: 'USAGE_MISSING_VALUE', json: true },
    '--loss 0.1x': { args: () => ['simulate', '--loss', '0.1x'], exit: 2, code: 'USAGE_BAD_VALUE', json: true },
    '--power-cuts -1': {
      args: () => ['simulate', '--power-cuts', '-1'],
      exit: 2,
      code: 'USAGE_MISSING_VALUE',
      json: true,
    },
    '--power-cuts=-1': { args: () => ['simulate', '--power-cuts=-1'], exit: 2, code: 'USAGE_BAD_VALUE', json: true },
    '--seed abc': { args: () => ['simulate', '--seed', 'abc'], exit: 2, code: 'USAGE_BAD_VALUE', json: true },
    '--hardware-version 0x10000': {
      args: () => ['simulate', '--hardware-version', '0x10000'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--current-version 0xffffffff (no newer version to make)': {
      args: () => ['simulate', '--current-version', '0xffffffff'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--self-test maybe': {
      args: () => ['simulate', '--self-test', 'maybe'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    'a stray positional': { args: () => ['simulate', 'now'], exit: 2, code: 'USAGE_POSITIONAL', json: true },
    '--image without --trust': {
      args: () => ['simulate', '--image', at('fw.ota')],
      exit: 2,
      code: 'USAGE_REQUIRED',
      json: true,
    },
    '--trust without --image': {
      args: () => ['simulate', '--trust', pki('trust-store.cbor')],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    '--size with --image': {
      args: () => ['simulate', '--image', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--size', '10'],
      exit: 2,
      code: 'USAGE_BAD_VALUE',
      json: true,
    },
    'a missing --image': {
      args: () => ['simulate', '--image', at('nope.ota'), '--trust', pki('trust-store.cbor')],
      exit: 3,
      code: 'IO_NOT_FOUND',
      json: true,
    },
  },
  'demo-flash': {
    runs: { args: () => ['demo-flash', '--seed', '3'], exit: 0 },
    '--seed abc': { args: () => ['demo-flash', '--seed', 'abc'], exit: 2, code: 'USAGE_BAD_VALUE' },
    'unknown --profile': { args: () => ['demo-flash', '--profile', 'nand'], exit: 2, code: 'USAGE_BAD_VALUE' },
    '--json (not taken) is a usage error, still as one JSON object': {
      args: () => ['demo-flash', '--json'],
      exit: 2,
      code: 'USAGE_UNKNOWN_OPTION',
      json: false,
    },
  },
};

describe('exit-code contract, command by command', () => {
  for (const [command, cases] of Object.entries(TABLE)) {
    describe(command, () => {
      for (const [title, c] of Object.entries(cases)) {
        it(`${title}: exit ${c.exit}${c.code ? ` ${c.code}` : ''}`, async () => {
          const args = c.args();
          // A row whose own arguments hold --json is checked in its JSON form only.
          if (!args.includes('--json')) {
            const text = await run(args);
            expect(text.code).toBe(c.exit);
            expect(text.stdout + text.stderr).not.toMatch(STACK);
            if (c.code) expect(text.stderr).toContain(c.code);
            if (c.exit === 2) expect(text.stderr).toMatch(/usage: althan-ota/);
          }
          if (c.json) args.push('--json');
          if (args.includes('--json')) {
            const j = await run(args);
            expect(j.code).toBe(c.exit);
            expect(j.stdout + j.stderr).not.toMatch(STACK);
            const obj = oneObject(j.stdout);
            if (c.code) expect(codeOf(obj)).toBe(c.code);
            if (c.exit >= 2) expect((obj.error as { exitCode: number }).exitCode).toBe(c.exit);
          }
        });
      }
    });
  }

  it('usage errors name the flag at fault', async () => {
    const r = oneObject((await run(['simulate', '--loss', '2', '--json'])).stdout);
    expect(r.error).toMatchObject({ exitCode: 2, code: 'USAGE_BAD_VALUE', option: '--loss' });
    expect((r.error as { message: string }).message).toContain('--loss');
    const missing = await run(['verify', at('fw.ota'), '--trust']);
    expect(missing.stderr).toContain('--trust needs a value');
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission: exit 3 IO_PERMISSION', async () => {
    writeFileSync(at('secret.ota'), 'x');
    chmodSync(at('secret.ota'), 0o000);
    const r = await run(['inspect', at('secret.ota'), '--json']);
    expect(r.code).toBe(3);
    expect(codeOf(oneObject(r.stdout))).toBe('IO_PERMISSION');
  });
});

describe('every command (new ones included)', () => {
  for (const c of commands) {
    const name = c.name.join(' ');
    it(`${name}: an unknown flag and stray arguments are usage errors, as one JSON object with --json`, async () => {
      const unknown = await run([...c.name, '--no-such-flag', 'x', '--json']);
      expect(unknown.code).toBe(2);
      expect(oneObject(unknown.stdout).error).toMatchObject({ code: 'USAGE_UNKNOWN_OPTION', option: '--no-such-flag' });
      // No command takes three positionals.
      const stray = await run([...c.name, 'a', 'b', 'c']);
      expect(stray.code).toBe(2);
      expect(stray.stderr).toContain('USAGE_POSITIONAL');
      const help = await run([...c.name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Exit codes');
    });
  }
});

describe('pki init --force writes all or none', () => {
  it('a target that is a directory leaves the old set exactly as it was', async () => {
    const set = at('pki-set');
    expect((await run(['pki', 'init', set])).code).toBe(0);
    const names = ['smki-root.pem', 'supplier1.key.pem', 'trust-store.cbor', 'supplier2-chain.pem'];
    const before = names.map((n) => readFileSync(path.join(set, n)).toString('hex'));
    // Replace one file of the set by a directory: the new set cannot be completed.
    const blocked = path.join(set, 'manufacturer-signer.der');
    rmSync(blocked);
    mkdirSync(blocked);
    const r = await run(['pki', 'init', set, '--force', '--seed', 'another hierarchy', '--json']);
    expect(r.code).toBe(3);
    expect(codeOf(oneObject(r.stdout))).toBe('IO_WRITE');
    expect(names.map((n) => readFileSync(path.join(set, n)).toString('hex'))).toEqual(before);
    expect(readdirSync(set).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary file left
  });
});

describe('as a process (bin/althan-ota.js)', () => {
  const bin = path.join(repoRoot, 'bin/althan-ota.js');
  /** Runs `althan-ota ARGS | READER` in bash and returns the CLI's own exit status and stderr. */
  function piped(args: string[], reader: string): { status: number; stderr: string } {
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('bash', ['-c', `node '${bin}' ${quoted} 2>"$ERR" | ${reader}; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: { ...process.env, ERR: at('stderr.txt') },
    });
    return { status: Number(r.stdout.trim().split('\n').pop()), stderr: readFileSync(at('stderr.txt'), 'utf8') };
  }

  it('a closed stdout (| head -1, | true) ends quietly with the exit code the command would have had', () => {
    const accepted = ['verify', at('fw.ota'), '--trust', pki('trust-store.cbor')];
    const refusedArgs = [
      'verify',
      at('fw.ota'),
      '--trust',
      pki('trust-store.cbor'),
      '--current-version',
      '0x02000000',
      '--json',
    ];
    for (const reader of ['head -c 1 >/dev/null', 'true']) {
      const ok = piped(accepted, reader);
      expect(ok).toEqual({ status: 0, stderr: '' });
      const no = piped(refusedArgs, reader);
      expect(no).toEqual({ status: 1, stderr: '' });
    }
    // inspect prints many lines: the reader stops after the first.
    const many = piped(['inspect', VENDOR], 'head -1 >/dev/null');
    expect(many).toEqual({ status: 0, stderr: '' });
  });

  it('a usage error with --json: exit 2 and one JSON object, nothing else on stdout', () => {
    const r = spawnSync(
      process.execPath,
      [bin, 'verify', at('fw.ota'), '--trust', pki('trust-store.cbor'), '--current-verison', '0x02000000', '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(oneObject(r.stdout).error).toMatchObject({ code: 'USAGE_UNKNOWN_OPTION', option: '--current-verison' });
    expect(r.stderr).toBe('');
  });
});
