/**
 * MCU entry "platform/mcu/bench-native": the agent's modules with the native crypto ports
 * only (noble is never imported, so its RAM is not counted): boot, RAM at idle, native
 * SHA-256 and the native P-256 arithmetic. Exit 0 when every checked answer was right.
 */
import { exit, instructions } from 'mcu/native';
import { verifyArith } from 'mcu/p256-arith';
import { toHex } from '../../util/index.js';
import { nativeSha256 } from '../moddable/sha256-native.js';
import { reportBoot } from './bench-boot.js';
import { benchP256, KEY, SIG } from './bench-p256.js';
import { benchSha256 } from './bench-sha256.js';
import { measure, ramRow, row } from './report.js';
import { equalBytes } from '../../util/index.js';

const entered = instructions();
const big = (bytes: Uint8Array): bigint => BigInt(`0x${toHex(bytes)}`);

reportBoot(entered);
let ok = benchSha256(nativeSha256, 'native', 16);
ramRow('native SHA-256');
const r = big(SIG.subarray(0, 32));
const s = big(SIG.subarray(32));
const qx = big(KEY.subarray(1, 33));
const qy = big(KEY.subarray(33));
ok = benchP256('native-arith', (digest) => verifyArith(big(digest), r, s, qx, qy)) && ok;
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
