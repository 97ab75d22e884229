/**
 * MCU entry "platform/mcu/bench-native": the agent's modules with the native crypto ports
 * only (noble is never imported, so its RAM is not counted): boot, RAM at idle, native
 * SHA-256 and the native P-256 arithmetic. Exit 0 when every checked answer was right.
 */
import { exit, instructions } from 'mcu/native';
import { verifyArith } from 'mcu/p256-arith';
import { toHex } from '../../util/bytes.js';
import { nativeSha256 } from '../moddable/sha256-native.js';
import { reportBoot } from './bench-boot.js';
import { benchP256, KEY, SIG } from './bench-p256.js';
import { benchSha256 } from './bench-sha256.js';
import { ramRow } from './report.js';

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
exit(ok ? 0 : 1);
