/**
 * `althan-ota`: the vendor's and tester's command line over the device's own code.
 * Finds the command, runs it, and turns whatever it throws into the exit-code contract
 * of tools/command.ts: a message on stderr, or with `--json` one JSON object on stdout.
 * Never a stack trace.
 */
import { isOtaError } from '../device/errors.js';
import { CliError, ExitCode, UsageCode, UsageError, type Command } from './command.js';
import { commands } from './commands/index.js';

export const EXIT_CODES_HELP = [
  'Exit codes (every command):',
  '  0  done / accepted',
  '  1  refused or invalid, with a stable code (IMG_*, PKI_*, OUT_*, SIGN_*, SIM_*)',
  '  2  usage error: unknown flag, stray argument, missing or malformed value (the message names the flag)',
  '  3  a file could not be read or written: missing, a directory, no permission, unreadable PEM/DER/key/store (IO_*)',
  '  4  internal error (a defect: please report it)',
  'With --json, stdout holds exactly one JSON object on every path; errors are {"error": {"exitCode", "code", "message", ...}}.',
].join('\n');

function help(): string {
  const lines = ['althan-ota: firmware-update agent for GB smart-metering Alt HAN devices', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push(
    '',
    'althan-ota help | --help          this text',
    'althan-ota COMMAND --help          one command',
    '',
    EXIT_CODES_HELP,
  );
  return lines.join('\n');
}

function find(args: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const c of commands) {
    if (c.name.every((w, i) => args[i] === w) && (!best || c.name.length > best.command.name.length)) {
      best = { command: c, rest: args.slice(c.name.length) };
    }
  }
  return best;
}

/** `--json` among the options (not after `--`), whether or not the command takes it. */
function wantsJson(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

/** Reports an error the contract's way and returns its exit code. */
function report(e: unknown, json: boolean, usage: string | undefined): number {
  let error: CliError;
  if (e instanceof CliError) error = e;
  else if (isOtaError(e)) {
    // A refusal by the device's own code that the command did not catch: still a verdict with its code.
    error = new CliError(ExitCode.refused, e.code, e.message);
  } else {
    const text = e instanceof Error ? e.message : String(e);
    error = new CliError(ExitCode.internal, 'INTERNAL', `internal error: ${text}`);
  }
  if (json) {
    const body: Record<string, unknown> = { exitCode: error.exitCode, code: error.code, message: error.message };
    if (error.option !== undefined) body.option = error.option;
    if (error.causeCode !== undefined) body.cause = error.causeCode;
    console.log(JSON.stringify({ error: body }));
  } else {
    const prefix =
      error.exitCode === ExitCode.usage ? 'usage error' : error.exitCode === ExitCode.refused ? 'refused' : 'error';
    const cause =
      error.causeCode !== undefined && !error.message.includes(error.causeCode) ? ` [${error.causeCode}]` : '';
    console.error(`${prefix}: ${error.code}: ${error.message}${cause}`);
    if (error.exitCode === ExitCode.usage && usage !== undefined) console.error(`usage: ${usage}`);
  }
  return error.exitCode;
}

export async function main(args: string[]): Promise<number> {
  const json = wantsJson(args);
  if (args.length === 0 || args[0] === 'help' || args[0] === '--help' || args[0] === '-h') {
    console.log(help());
    return ExitCode.done;
  }
  const found = find(args);
  if (!found) {
    const r = report(new UsageError(`unknown command: ${args.join(' ')}`, UsageCode.unknownCommand), json, undefined);
    if (!json) console.error(`\n${help()}`);
    return r;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(`${found.command.usage}\n  ${found.command.summary}\n\n${EXIT_CODES_HELP}`);
    return ExitCode.done;
  }
  try {
    return await found.command.run(found.rest);
  } catch (e) {
    return report(e, json, found.command.usage);
  }
}
