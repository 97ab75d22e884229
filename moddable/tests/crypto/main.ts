/**
 * Moddable test app: the crypto ports inside a real Moddable build. It runs the Sha256
 * and P256Verifier conformance suites and every Wycheproof ecdsa_secp256r1_sha256 vector
 * (module `wycheproof-vectors`, generated from host-tests/vectors/wycheproof/ by
 * tools/moddable/run.ts) through the native ports and the portable noble ports, then times
 * both. Every line it prints starts with "crypto-app:"; the last is "crypto-app: done".
 *
 * Build and run: `npm run moddable:crypto` (docs/PORTING.md).
 */
import Instrumentation from 'instrumentation';
import Time from 'time';
import { formatResults, runP256Suite, runSha256Suite, summarise, type CheckResult } from 'conformance/index';
import { nobleP256 } from 'crypto/noble-p256';
import { nobleSha256 } from 'crypto/noble-sha256';
import { nativeP256 } from 'platform/moddable/p256-native';
import { nativeSha256 } from 'platform/moddable/sha256-native';
import { fromHex } from 'util/bytes';
import type { P256Verifier, Sha256, SignatureFormat } from 'ports';
import { DER_CASES, DER_KEYS, RAW_CASES, RAW_KEYS } from 'wycheproof-vectors';

function say(line: string): void {
  trace(`crypto-app: ${line}\n`);
}

let failures = 0;

function report(label: string, results: CheckResult[]): void {
  for (const line of formatResults(results)) if (!line.startsWith('pass ')) say(`${label} ${line}`);
  failures += summarise(results).failed;
}

function sha256Of(port: Sha256, data: Uint8Array): Uint8Array {
  const h = port.create();
  h.update(data);
  return h.digest();
}

/** [key index, message hex, signature hex, 1 valid / 0 invalid] */
type VectorCase = [number, string, string, number];

function wycheproof(
  label: string,
  port: P256Verifier,
  keys: string[],
  cases: VectorCase[],
  format: SignatureFormat,
): void {
  const keyBytes = keys.map((k) => fromHex(k));
  let valid = 0;
  let invalid = 0;
  let wrong = 0;
  for (let i = 0; i < cases.length; i++) {
    const [k, msg, sig, ok] = cases[i];
    let got: unknown;
    try {
      got = port.verify(sha256Of(nativeSha256, fromHex(msg)), fromHex(sig), keyBytes[k], format);
    } catch (e) {
      got = `threw ${String(e)}`;
    }
    if (got === (ok === 1)) {
      if (ok === 1) valid++;
      else invalid++;
    } else {
      wrong++;
      if (wrong <= 5) say(`${label} case ${i}: expected ${ok === 1 ? 'valid' : 'invalid'}, got ${String(got)}`);
    }
  }
  failures += wrong;
  say(
    `wycheproof ${label} ${format}: ${cases.length} cases, ${valid} valid accepted, ${invalid} invalid refused, ${wrong} wrong`,
  );
}

function gcCount(): number | undefined {
  return Instrumentation.get(Instrumentation.map('XS Garbage Collection Count'));
}

/** Mean ms per run, and the garbage collections per run where the build has XS instrumentation. */
function msPer(runs: number, fn: () => void): string {
  const g0 = gcCount();
  const t0 = Time.ticks;
  for (let i = 0; i < runs; i++) fn();
  const ms = ((Time.ticks - t0) / runs).toFixed(2);
  const g1 = gcCount();
  return g0 === undefined || g1 === undefined ? `${ms} ms` : `${ms} ms, ${((g1 - g0) / runs).toFixed(1)} GCs`;
}

/** XS's own meters; a release build on lin has none (MODINSTRUMENTATION is a debug-build define: `-- --debug`). */
function heap(): string {
  const get = (name: 'XS Slot Heap Used' | 'XS Chunk Heap Used' | 'XS Stack Used' | 'XS Garbage Collection Count') =>
    Instrumentation.get(Instrumentation.map(name));
  if (get('XS Slot Heap Used') === undefined) return 'no XS instrumentation in this build';
  return `slot heap ${get('XS Slot Heap Used')} B, chunk heap ${get('XS Chunk Heap Used')} B, stack ${get('XS Stack Used')} B, GCs ${get('XS Garbage Collection Count')}`;
}

say(`start; ${heap()}`);
report('native', runSha256Suite(nativeSha256));
report('noble', runSha256Suite(nobleSha256));
report('native', runP256Suite(nativeP256));
report('noble', runP256Suite(nobleP256));
say(`conformance Sha256 + P256Verifier, native and noble: done, ${failures} failed`);

wycheproof('native', nativeP256, DER_KEYS, DER_CASES as VectorCase[], 'der');
wycheproof('native', nativeP256, RAW_KEYS, RAW_CASES as VectorCase[], 'raw');
wycheproof('noble', nobleP256, DER_KEYS, DER_CASES as VectorCase[], 'der');
wycheproof('noble', nobleP256, RAW_KEYS, RAW_CASES as VectorCase[], 'raw');
say(`after vectors; ${heap()}`);

// Timing (one run; figures for docs/BENCHMARKS.md, never asserted).
const KEY = fromHex(
  '044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634',
);
const SIG = fromHex(
  '6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752',
);
const DIGEST = fromHex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
nativeP256.verify(DIGEST, SIG, KEY, 'raw');
nobleP256.verify(DIGEST, SIG, KEY, 'raw');
say(
  `bench p256 verify: native ${msPer(50, () => nativeP256.verify(DIGEST, SIG, KEY, 'raw'))}, noble ${msPer(10, () => nobleP256.verify(DIGEST, SIG, KEY, 'raw'))} (mean per verify)`,
);
const block = new Uint8Array(64 * 1024);
for (let i = 0; i < block.length; i++) block[i] = i & 0xff;
const chunks = (port: Sha256) => () => {
  const h = port.create();
  for (let o = 0; o < block.length; o += 1024) h.update(block.subarray(o, o + 1024));
  h.digest();
};
say(
  `bench sha256 64 KiB in 1 KiB updates: native ${msPer(32, chunks(nativeSha256))}, noble ${msPer(4, chunks(nobleSha256))} (mean)`,
);
say(`end; ${heap()}`);
say(`result: ${failures === 0 ? 'PASS' : 'FAIL'} (${failures} failed)`);
say('done');
