/** Every `althan-ota` sub-command, in the order `--help` lists them. */
import type { Command } from '../command.js';
import { certVerify } from './cert-verify.js';
import { demoFlash } from './demo-flash.js';
import { gbcsVerify } from './gbcs-verify.js';
import { inspect } from './inspect.js';
import { pkiInit } from './pki-init.js';
import { sign } from './sign.js';
import { simulate } from './simulate.js';
import { trustBuild } from './trust-build.js';
import { trustReplace } from './trust-replace.js';
import { trustShow } from './trust-show.js';
import { verify } from './verify.js';

export const commands: Command[] = [
  simulate,
  demoFlash,
  pkiInit,
  certVerify,
  trustBuild,
  trustShow,
  trustReplace,
  sign,
  inspect,
  verify,
  gbcsVerify,
];
