/** Every `althan-ota` sub-command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { demoFlash } from './demo-flash.js';

export const commands: Command[] = [demoFlash];
