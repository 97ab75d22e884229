/** `althan-ota`: the vendor's and tester's command line over the device's own code. */
import { UsageError, type Command } from './command.js';
import { commands } from './commands/index.js';

function help(): string {
  const lines = ['althan-ota: firmware-update agent for GB smart-metering Alt HAN devices', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push('', 'althan-ota help | --help     this text');
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

export async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === 'help' || args[0] === '--help' || args[0] === '-h') {
    console.log(help());
    return 0;
  }
  const found = find(args);
  if (!found) {
    console.error(`unknown command: ${args.join(' ')}\n\n${help()}`);
    return 2;
  }
  if (found.rest.includes('--help')) {
    console.log(`${found.command.usage}\n  ${found.command.summary}`);
    return 0;
  }
  try {
    return await found.command.run(found.rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\nusage: ${found.command.usage}`);
      return 2;
    }
    const err = e as { code?: string; message?: string };
    console.error(`error: ${err.message ?? String(e)}`);
    return 1;
  }
}
