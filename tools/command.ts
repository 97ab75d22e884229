/**
 * The shape of one `althan-ota` sub-command and the one exit-code contract they all keep.
 *
 * Exit codes (README "Exit codes", and `--help`):
 *   0 done / accepted; 1 refused or invalid, always with a stable code (IMG_*, PKI_*, and the
 *   tools' own in tools/refusals.ts);
 *   2 usage error, the message names the flag; 3 a file could not be read or written (IO_*);
 *   4 internal error (a defect: report it).
 * With `--json` exactly one JSON object goes to stdout on every path, errors included.
 *
 * A new command:
 *   const a = parseCommandArgs(args, { out: 'string', chain: 'strings', json: 'boolean' }, { min: 1, max: 1, what: 'FILE' });
 *   a.positionals[0]; a.required('out'); a.list('chain'); a.flag('json');
 *   a.int('seed', { max: 0xffffffff, fallback: 1 }); a.choice('profile', ['smki', 'rfc5280'], 'smki');
 * then read files with tools/io/read-input.ts (IO_* errors, exit 3), write them with
 * tools/io/write-files.ts (all or none), throw `refused(code, message)` for a refusal
 * (exit 1), and print the JSON object yourself on success and refusal. tools/cli.ts turns
 * every thrown CliError into its exit code and, with `--json`, its JSON object.
 */
import { parseArgs } from 'node:util';

export interface Command {
  /** Words that select it, e.g. ['pki', 'init'] for `althan-ota pki init`. */
  name: string[];
  summary: string;
  usage: string;
  /** Runs with the arguments after the command words; returns the exit code. */
  run(args: string[]): Promise<number>;
}

/** The exit codes every command keeps. */
export const ExitCode = {
  done: 0,
  refused: 1,
  usage: 2,
  unreadable: 3,
  internal: 4,
} as const;

/** Stable codes of usage errors (exit 2). */
export const UsageCode = {
  /** A flag the command does not take (a misspelt one included). */
  unknownOption: 'USAGE_UNKNOWN_OPTION',
  /** A flag without its value, an empty value, or a value that looks like another flag. */
  missingValue: 'USAGE_MISSING_VALUE',
  /** A value that is not of the flag's form or is out of its range. */
  badValue: 'USAGE_BAD_VALUE',
  /** A flag that takes one value, given twice. */
  repeated: 'USAGE_REPEATED_OPTION',
  /** A required flag not given, or flags that do not go together. */
  required: 'USAGE_REQUIRED',
  /** Too many or too few positional arguments. */
  positional: 'USAGE_POSITIONAL',
  /** No command with these words. */
  unknownCommand: 'USAGE_UNKNOWN_COMMAND',
} as const;

/** Anything a command throws on purpose: its exit code, a stable code and a message for people. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string;
  /** The flag at fault (`--loss`), for usage errors. */
  readonly option: string | undefined;
  /** The underlying code (e.g. the device's PKI_TRUST_STORE_* behind an IO_TRUST_STORE). */
  readonly causeCode: string | undefined;
  constructor(exitCode: number, code: string, message: string, extra: { option?: string; cause?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.option = extra.option;
    this.causeCode = extra.cause;
  }
}

/** A usage error (exit 2). `option` is the flag at fault, named in the message too. */
export class UsageError extends CliError {
  constructor(message: string, code: string = UsageCode.required, option?: string) {
    super(ExitCode.usage, code, message, option === undefined ? {} : { option });
    this.name = 'UsageError';
  }
}

/** A refusal (exit 1) with its stable code. */
export function refused(code: string, message: string): CliError {
  return new CliError(ExitCode.refused, code, message);
}

/** How an option is written: one string, a repeatable string, or a boolean switch. */
export type OptionKind = 'string' | 'strings' | 'boolean';

export interface PositionalSpec {
  min: number;
  max: number;
  /** How the usage line names them, e.g. 'FILE'. */
  what: string;
}

export interface ParsedArgs<K extends string> {
  positionals: string[];
  /** A string option's value, or undefined when not given. */
  string(name: K): string | undefined;
  /** A string option that must be given. */
  required(name: K, why?: string): string;
  /** Every value of a repeatable option, in order. */
  list(name: K): string[];
  flag(name: K): boolean;
  has(name: K): boolean;
  /** An unsigned integer, decimal or 0x-hex, within [min, max]. */
  int(name: K, range: { min?: number; max: number; fallback?: number }): number;
  /** A decimal number within [min, max] (or [min, max) with `belowMax`). */
  decimal(name: K, range: { min: number; max: number; belowMax?: boolean; fallback: number }): number;
  choice<T extends string>(name: K, choices: readonly T[], fallback: T): T;
}

interface NodeParseError {
  code?: string;
  message: string;
}

function parseTokens(args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>) {
  return parseArgs({ args, options, strict: true, allowPositionals: true, tokens: true });
}

/** The flag a parseArgs message is about, e.g. "Unknown option '--x'" → '--x'. */
function flagIn(message: string): string | undefined {
  return /'(-{1,2}[^' ]+)/.exec(message)?.[1];
}

/**
 * Parses `args` strictly with Node's util.parseArgs: unknown flags, missing or empty
 * values, a one-value flag given twice and positionals outside [min, max] are usage errors.
 */
export function parseCommandArgs<K extends string>(
  args: string[],
  options: Record<K, OptionKind>,
  positionals: PositionalSpec = { min: 0, max: 0, what: '' },
): ParsedArgs<K> {
  const config: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, kind] of Object.entries(options) as [K, OptionKind][]) {
    config[name] = kind === 'boolean' ? { type: 'boolean' } : { type: 'string', multiple: true };
  }
  let parsed: ReturnType<typeof parseTokens>;
  try {
    parsed = parseTokens(args, config);
  } catch (e) {
    const err = e as NodeParseError;
    const flag = flagIn(err.message);
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new UsageError(`unknown option ${flag ?? ''}`.trim(), UsageCode.unknownOption, flag);
    }
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const why = /argument missing|ambiguous/.test(err.message) ? 'needs a value' : 'takes no value';
      throw new UsageError(`${flag ?? 'an option'} ${why}`, UsageCode.missingValue, flag);
    }
    throw new UsageError(err.message, UsageCode.badValue, flag);
  }
  const values = parsed.values as Record<string, string[] | boolean | undefined>;
  for (const [name, kind] of Object.entries(options) as [K, OptionKind][]) {
    const v = values[name];
    if (kind === 'boolean') {
      const count = parsed.tokens.filter((t) => t.kind === 'option' && t.name === name).length;
      if (count > 1) throw new UsageError(`--${name} given more than once`, UsageCode.repeated, `--${name}`);
      continue;
    }
    const list = (v as string[] | undefined) ?? [];
    if (kind === 'string' && list.length > 1)
      throw new UsageError(`--${name} given more than once`, UsageCode.repeated, `--${name}`);
    if (list.some((s) => s === ''))
      throw new UsageError(`--${name} needs a value (it was empty)`, UsageCode.missingValue, `--${name}`);
  }
  const pos = parsed.positionals;
  if (pos.length > positionals.max) {
    const stray = pos[positionals.max];
    throw new UsageError(
      positionals.max === 0
        ? `unexpected argument ${stray}`
        : `unexpected argument ${stray} (takes ${positionals.max} ${positionals.what})`,
      UsageCode.positional,
    );
  }
  if (pos.length < positionals.min) throw new UsageError(`missing ${positionals.what}`, UsageCode.positional);

  const one = (name: K): string | undefined => (values[name] as string[] | undefined)?.[0];
  const bad = (name: K, text: string, expected: string) =>
    new UsageError(`--${name} ${JSON.stringify(text)}: expected ${expected}`, UsageCode.badValue, `--${name}`);
  return {
    positionals: pos,
    string: one,
    required(name, why) {
      const v = one(name);
      if (v === undefined)
        throw new UsageError(`--${name} is required${why ? ` (${why})` : ''}`, UsageCode.required, `--${name}`);
      return v;
    },
    list: (name) => (values[name] as string[] | undefined) ?? [],
    flag: (name) => values[name] === true,
    has: (name) => values[name] !== undefined,
    int(name, { min = 0, max, fallback }) {
      const text = one(name);
      if (text === undefined) {
        if (fallback === undefined) throw new UsageError(`--${name} is required`, UsageCode.required, `--${name}`);
        return fallback;
      }
      const v = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(v) || v < min || v > max) {
        throw bad(
          name,
          text,
          `an integer ${min}..${max} (0x${min.toString(16)}..0x${max.toString(16)}), decimal or 0x-hex`,
        );
      }
      return v;
    },
    decimal(name, { min, max, belowMax = false, fallback }) {
      const text = one(name);
      if (text === undefined) return fallback;
      const v = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
      if (!(v >= min && (belowMax ? v < max : v <= max)))
        throw bad(name, text, `a number in [${min}, ${max}${belowMax ? ')' : ']'}`);
      return v;
    },
    choice(name, choices, fallback) {
      const text = one(name);
      if (text === undefined) return fallback;
      if (!(choices as readonly string[]).includes(text)) throw bad(name, text, `one of ${choices.join(', ')}`);
      return text as (typeof choices)[number];
    },
  };
}
