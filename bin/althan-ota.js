#!/usr/bin/env node
// The CLI is TypeScript; Node 20 cannot run it natively, so tsx loads it.
import { register } from 'tsx/esm/api';

register();
const { ignoreClosedOutput } = await import('../tools/io/closed-stdout.ts');
ignoreClosedOutput();
const { main } = await import('../tools/cli.ts');
process.exitCode = await main(process.argv.slice(2));
