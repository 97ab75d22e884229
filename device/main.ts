/**
 * XS entry point. Today it proves on the target that the device modules load and that
 * the crypto ports give the right answers there: the native SHA-256 port (`crypt`) and
 * the portable one agree on a known vector, and one P-256 signature verifies (and is
 * refused for another digest). The agent is wired here once device/agent exists.
 */
import { nobleP256 } from './crypto/noble-p256.js';
import { nobleSha256 } from './crypto/noble-sha256.js';
import { nativeSha256 } from './platform/moddable/sha256-native.js';
import type { Sha256 } from './ports.js';
import { fromHex, toHex } from './util/bytes.js';

const KEY = fromHex('044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634');
const SIG = fromHex('6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752');
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

function hashAbc(port: Sha256): Uint8Array {
  const h = port.create();
  h.update(new Uint8Array([0x61, 0x62]));
  h.update(new Uint8Array([0x63]));
  return h.digest();
}

const digest = hashAbc(nobleSha256);
const shaOk = toHex(digest) === ABC && toHex(hashAbc(nativeSha256)) === ABC;
const other = digest.slice();
other[0] ^= 1;
const p256Ok = nobleP256.verify(digest, SIG, KEY, 'raw') && !nobleP256.verify(other, SIG, KEY, 'raw');
trace(`althan-ota: modules loaded; sha256 ${shaOk ? 'ok' : 'FAILED'}; p256 ${p256Ok ? 'ok' : 'FAILED'}\n`);
