/** The shape of one `althan-ota` sub-command. */
export interface Command {
  /** Words that select it, e.g. ['pki', 'init'] for `althan-ota pki init`. */
  name: string[];
  summary: string;
  usage: string;
  /** Runs with the arguments after the command words; returns the exit code. */
  run(args: string[]): Promise<number>;
}

/** Minimal flag parser: --flag value, --flag=value, --bool, repeated flags collected. */
export function parseFlags(args: string[], booleans: string[] = []): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value: string;
      if (eq > 0) value = a.slice(eq + 1);
      else if (booleans.includes(name)) value = 'true';
      else {
        if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
        value = args[++i];
      }
      const list = flags.get(name) ?? [];
      list.push(value);
      flags.set(name, list);
    } else positional.push(a);
  }
  return { flags, positional };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
