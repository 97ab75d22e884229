/**
 * XS entry point. Today it proves the device modules load on the target and that its
 * crypto works there: it hashes a known vector and reports the result through trace().
 * The agent itself is wired here once device/agent exists.
 */
import { nobleSha256 } from './crypto/noble-sha256.js';
import { toHex } from './util/bytes.js';

declare function trace(...args: unknown[]): void;

const h = nobleSha256.create();
h.update(new Uint8Array([0x61, 0x62, 0x63]));
const ok = toHex(h.digest()) === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
trace(`althan-ota: device modules loaded, sha256 self-check ${ok ? 'passed' : 'FAILED'}\n`);
