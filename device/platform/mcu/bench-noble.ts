/**
 * MCU entry "platform/mcu/bench-noble": the portable crypto ports (noble) on the core:
 * boot (noble's module bodies run at import), RAM at idle with noble loaded, SHA-256 and
 * P-256 verification. Exit 0 when every checked answer was right.
 */
import { exit, instructions } from 'mcu/native';
import { nobleP256 } from '../../crypto/index.js';
import { nobleSha256 } from '../../crypto/index.js';
import { reportBoot } from './bench-boot.js';
import { benchP256, KEY, SIG } from './bench-p256.js';
import { benchSha256 } from './bench-sha256.js';
import { ramRow } from './report.js';

const entered = instructions();
reportBoot(entered);
let ok = benchSha256(nobleSha256, 'noble', 2);
ramRow('noble SHA-256');
ok = benchP256('noble', (digest) => nobleP256.verify(digest, SIG, KEY, 'raw')) && ok;
ramRow('noble P-256');
exit(ok ? 0 : 1);
