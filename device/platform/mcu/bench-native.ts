/**
 * MCU entry "platform/mcu/bench-native": the agent's modules with the native crypto ports
 * only (noble is never imported, so its RAM is not counted): boot, RAM at idle, native
 * SHA-256 and the native P-256 port (the SDK's curve arithmetic under the checks of
 * device/ecdsa, as the agent uses it). Exit 0 when every checked answer was right.
 */
import { exit, instructions } from 'mcu/native';
import { nativeP256 } from '../moddable/p256-native.js';
import { nativeSha256 } from '../moddable/sha256-native.js';
import { reportBoot } from './bench-boot.js';
import { benchP256, KEY, SIG } from './bench-p256.js';
import { benchSha256 } from './bench-sha256.js';
import { measure, ramRow, row } from './report.js';
import { equalBytes } from '../../util/index.js';

const entered = instructions();

reportBoot(entered);
let ok = benchSha256(nativeSha256, 'native', 16);
ramRow('native SHA-256');
ok = benchP256('native', (digest) => nativeP256.verify(digest, SIG, KEY, 'raw')) && ok;
ramRow('native P-256');
ok = benchBuildingBlocks() && ok;
exit(ok ? 0 : 1);

/** Per-KiB costs of the steps the download path repeats on every byte, to see where its instructions go. */
function benchBuildingBlocks(): boolean {
  const a = new Uint8Array(1024).fill(0x5a);
  const b = a.slice();
  let same = false;
  const compare = measure(() => {
    for (let k = 0; k < 16; k++) same = equalBytes(a, b);
  });
  row('building-block', { step: 'equalBytes (util/bytes)', perKiB: Math.round(compare.instructions / 16) });
  const copy = measure(() => {
    for (let k = 0; k < 16; k++) for (let o = 0; o < 1024; o += 64) b.set(a.subarray(o, o + 64), o);
  });
  row('building-block', { step: 'Uint8Array.set of 64-byte subarrays', perKiB: Math.round(copy.instructions / 16) });
  let sum = 0;
  const loop = measure(() => {
    for (let k = 0; k < 16; k++) for (let i = 0; i < 1024; i++) sum += a[i] as number;
  });
  row('building-block', { step: 'a JS loop reading each byte once', perKiB: Math.round(loop.instructions / 16) });
  return same && sum === 16 * 1024 * 0x5a;
}
