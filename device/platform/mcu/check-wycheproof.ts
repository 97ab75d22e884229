/**
 * MCU entry "platform/mcu/check-wycheproof": the native P-256 port the agent uses
 * (device/platform/moddable/p256-native.ts: the SDK's curve arithmetic under the checks of
 * device/ecdsa) against Wycheproof's ECDSA P-256 vectors, on the core itself. The host
 * (tools/mcu/run.ts) turns a Wycheproof file into records in a host file, read here one at
 * a time so RAM does not grow with the file:
 *   u8 format (0 DER, 1 raw r‖s) · u8 expected (1 valid, 0 anything else) · u16 tcId ·
 *   u16 signature length (little-endian) · key (65) · SHA-256 of the message (32) · signature
 * As in host-tests/ecdsa, "acceptable" vectors must be refused. Arguments (QEMU -append):
 *   platform/mcu/check-wycheproof vectors=wycheproof-der.bin
 * Exit 0 when every answer was right.
 */
import { commandLine, exit } from 'mcu/native';
import * as hostFile from 'mcu/host-flash';
import { nativeP256 } from '../moddable/p256-native.js';
import { measure, row } from './report.js';

const HEAD = 6;
const KEY = 65;
const DIGEST = 32;

let file = '';
for (const token of commandLine().split(' ')) if (token.startsWith('vectors=')) file = token.slice(8);

const handle = hostFile.open(file, false);
const end = hostFile.length(handle);
const head = new Uint8Array(HEAD);
const key = new Uint8Array(KEY);
const digest = new Uint8Array(DIGEST);
let offset = 0;
let cases = 0;
let valid = 0;
let wrong = 0;
let validInstructions = 0;
while (offset < end) {
  hostFile.read(handle, offset, head);
  const format = head[0] === 0 ? 'der' : 'raw';
  const expected = head[1] === 1;
  const tcId = (head[2] as number) | ((head[3] as number) << 8);
  const signature = new Uint8Array((head[4] as number) | ((head[5] as number) << 8));
  hostFile.read(handle, offset + HEAD, key);
  hostFile.read(handle, offset + HEAD + KEY, digest);
  if (signature.length) hostFile.read(handle, offset + HEAD + KEY + DIGEST, signature);
  offset += HEAD + KEY + DIGEST + signature.length;
  let accepted = false;
  const m = measure(() => {
    accepted = nativeP256.verify(digest, signature, key, format);
  });
  cases++;
  if (expected) {
    valid++;
    validInstructions += m.instructions;
  }
  if (accepted !== expected) {
    wrong++;
    trace(`mcu: Wycheproof tcId ${tcId}: expected ${expected}, got ${accepted}\n`);
  }
}
hostFile.close(handle);
row('wycheproof', {
  file,
  cases,
  valid,
  wrong,
  perValidVerify: valid ? Math.round(validInstructions / valid) : 0,
});
exit(wrong === 0 && cases > 0 ? 0 : 1);
