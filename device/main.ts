/**
 * XS entry point. It proves on the target that the device modules load and that the
 * crypto ports give the right answers there (the native SHA-256 port and the portable one
 * agree on a known vector; one P-256 signature verifies and is refused for another
 * digest), then starts the agent when the platform gives every port it needs.
 *
 * The ports this platform folder provides: flash (ESP32 `embedded:storage/flash`), clock,
 * mains power; the crypto ports are `platform/crypto-ports`, which the manifest maps to the
 * native ones (`crypt` Digest, `arith` ECDSA) where the platform has them, noble elsewhere. A product adds its Zigbee stack's
 * OtaTransport, its BootControl (ESP32: esp_ota_* and restart), its Activation and
 * Reporter channels (docs/PORTING.md); until then the agent is not started, and the trace
 * says which ports are missing.
 */
import { Agent, DEFAULT_BUILD, loadTrustStore } from './agent/index.js';
import { cryptoPortsKind, platformP256, platformSha256 } from './platform/crypto-ports.js';
import { moddableClock } from './platform/moddable/clock.js';
import { mainsPower } from './platform/moddable/power-mains.js';
import type { Ports, Sha256 } from './ports.js';
import { fromHex, toHex } from './util/index.js';

const KEY = fromHex(
  '044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634',
);
const SIG = fromHex(
  '6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752',
);
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

function hashAbc(port: Sha256): Uint8Array {
  const h = port.create();
  h.update(new Uint8Array([0x61, 0x62]));
  h.update(new Uint8Array([0x63]));
  return h.digest();
}

const digest = hashAbc(platformSha256);
const shaOk = toHex(digest) === ABC;
const other = digest.slice();
other[0] ^= 1;
const p256Ok = platformP256.verify(digest, SIG, KEY, 'raw') && !platformP256.verify(other, SIG, KEY, 'raw');
trace(
  `althan-ota: modules loaded; ${cryptoPortsKind} crypto; sha256 ${shaOk ? 'ok' : 'FAILED'}; p256 ${p256Ok ? 'ok' : 'FAILED'}\n`,
);

/** The ports this platform has; a product's build adds the rest (transport, boot, activation, reporter, flash region). */
const available: Partial<Ports> = {
  clock: moddableClock,
  power: mainsPower,
  sha256: platformSha256,
  p256: platformP256,
};
const needed: (keyof Ports)[] = [
  'flash',
  'boot',
  'power',
  'clock',
  'transport',
  'activation',
  'reporter',
  'sha256',
  'p256',
];
const missing = needed.filter((k) => available[k] === undefined);
if (missing.length > 0) {
  trace(`althan-ota: agent not started; this platform gives no ${missing.join(', ')} port\n`);
} else {
  const ports = available as Ports;
  try {
    const agent = new Agent(ports, {
      ...DEFAULT_BUILD,
      trust: loadTrustStore(ports.flash, DEFAULT_BUILD),
      random: Math.random,
      onPhase: (p, d) => trace(`althan-ota: ${p}${d ? ` (${d})` : ''}\n`),
    });
    agent.start();
  } catch (e) {
    trace(`althan-ota: agent not started: ${(e as Error).message}\n`);
  }
}
