/**
 * Runs an `althan-ota` command in this process, as the bin would, and captures what it
 * prints: console output and direct stream writes, each stream on its own and both in the
 * order they were written (`out`, what a terminal shows).
 */
import { vi } from 'vitest';
import { main } from '../../tools/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as written. */
  out: string;
}

export async function runCli(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const both: string[] = [];
  const to = (stream: string[]) => (text: string) => {
    stream.push(text);
    both.push(text);
  };
  const toOut = to(out);
  const toErr = to(err);
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => toOut(`${a.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => toErr(`${a.join(' ')}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((t: string | Uint8Array) => {
      toOut(String(t));
      return true;
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((t: string | Uint8Array) => {
      toErr(String(t));
      return true;
    }),
  ];
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join(''), out: both.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
