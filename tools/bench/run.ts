/**
 * `npm run bench`: speed and memory figures, written to docs/BENCHMARKS.md with the
 * command and machine that made them. XS figures use the engine's own `compute` meter
 * (repeatable); wall times are from one run on a noisy machine: compare ratios within a
 * run, not across runs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { p256 as nist } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { toHex } from '../../device/util/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../device/util/cbor.js';
import { bundleForXs, XsWorker } from '../../host-tests/xs/xsnap-worker.js';
import { runUpdateWorld, type WorldOptions } from '../../host-tests/harness/update-world.js';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { freshSignedImage, SIMULATED_DEVICE } from '../simulate/fresh-image.js';
import { randomBytesSeeded } from '../simulate/seeded-bytes.js';

interface Row {
  what: string;
  engine: 'node' | 'xs';
  value: string;
  note?: string;
}

const rows: Row[] = [];

function time(fn: () => void, reps: number): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

const manifest: CborValue = new Map<number, CborValue>([
  [0, 1], [1, 0x1234], [2, 0x0042], [3, 0x01020304], [4, [0, 0x10]], [5, 65536], [6, new Uint8Array(32).fill(7)], [7, 'althan test image'],
]);
const manifestBytes = encodeCbor(manifest);
const sk = sha256(new Uint8Array([1, 2, 3]));
const key = nist.getPublicKey(sk, false);
const digest = sha256(new Uint8Array([4, 5, 6]));
const sig = nist.sign(digest, sk, { prehash: false, lowS: false });

async function nodeCases(): Promise<void> {
  const mib = new Uint8Array(1 << 20).fill(0x5a);
  const shaMs = time(() => {
    const h = nobleSha256.create();
    for (let o = 0; o < mib.length; o += 64) h.update(mib.subarray(o, o + 64));
    h.digest();
  }, 5);
  rows.push({ what: 'SHA-256, 1 MiB in 64-byte updates', engine: 'node', value: `${shaMs.toFixed(1)} ms` });
  const vMs = time(() => nobleP256.verify(digest, sig, key, 'raw'), 50);
  rows.push({ what: 'P-256 verify (one signature)', engine: 'node', value: `${vMs.toFixed(2)} ms` });
  const cMs = time(() => decodeCbor(manifestBytes), 2000);
  rows.push({ what: `CBOR decode, ${manifestBytes.length}-byte manifest`, engine: 'node', value: `${(cMs * 1000).toFixed(1)} µs` });
}

async function xsCases(): Promise<void> {
  const xs = await XsWorker.start(await bundleForXs('tools/bench/xs-cases.entry.ts'));
  try {
    const call = async (name: string, args: unknown) => {
      const t0 = performance.now();
      const { meter, result } = await xs.call<{ ok: boolean; error?: string }>({ name, args });
      if (!result.ok) throw new Error(`${name}: ${result.error}`);
      return { meter, ms: performance.now() - t0 };
    };
    await call('sha256', { kib: 1 }); // warm
    const s64 = await call('sha256', { kib: 64 });
    const s256 = await call('sha256', { kib: 256 });
    rows.push({ what: 'SHA-256, 64 KiB in 64-byte updates', engine: 'xs', value: `compute ${s64.meter.compute.toLocaleString('en')}; ${s64.ms.toFixed(0)} ms`, note: `heap slots ${s64.meter.currentHeapCount}` });
    rows.push({ what: 'SHA-256, 256 KiB in 64-byte updates', engine: 'xs', value: `compute ${s256.meter.compute.toLocaleString('en')}; ${s256.ms.toFixed(0)} ms`, note: `heap slots ${s256.meter.currentHeapCount} (independent of size)` });
    await call('p256', { digest: toHex(digest), sig: toHex(sig), key: toHex(key), times: 1 }); // warm
    const v = await call('p256', { digest: toHex(digest), sig: toHex(sig), key: toHex(key), times: 10 });
    rows.push({ what: 'P-256 verify (per signature, 10 in a row)', engine: 'xs', value: `compute ${Math.round(v.meter.compute / 10).toLocaleString('en')}; ${(v.ms / 10).toFixed(1)} ms`, note: `heap slots ${v.meter.currentHeapCount}` });
    const c = await call('cbor', { hex: toHex(manifestBytes), times: 100 });
    rows.push({ what: `CBOR decode, ${manifestBytes.length}-byte manifest (per decode)`, engine: 'xs', value: `compute ${Math.round(c.meter.compute / 100).toLocaleString('en')}; ${((c.ms / 100) * 1000).toFixed(0)} µs` });
  } finally {
    await xs.close();
  }
}

/** The whole update (download, verify, activate, trial boot, confirm) on a mains device, lossless. */
function updateOptions(kib: number): WorldOptions {
  const fresh = freshSignedImage(randomBytesSeeded(kib * 1024, 5), SIMULATED_DEVICE.currentVersion + 1);
  return {
    image: fresh.file,
    trustStore: fresh.trustStore,
    currentVersion: SIMULATED_DEVICE.currentVersion,
    hardwareVersion: SIMULATED_DEVICE.hardwareVersion,
    battery: false,
    loss: 0,
    powerCuts: 0,
    seed: 5,
  };
}

async function updateCases(): Promise<void> {
  const o64 = updateOptions(64);
  let result = runUpdateWorld(o64);
  const ms = time(() => {
    result = runUpdateWorld(o64);
  }, 3);
  rows.push({ what: 'whole emulated update, 64 KiB payload (runUpdateWorld)', engine: 'node', value: `${ms.toFixed(0)} ms`, note: `${result.outcome}, ${result.blockRequests} block requests, ${result.virtualSeconds} s of device time` });
  const xs = await XsWorker.start(await bundleForXs('host-tests/xs/entries/agent.entry.ts'));
  try {
    for (const kib of [16, 64]) {
      const o = updateOptions(kib);
      const args = { ...o, image: toHex(o.image), trustStore: toHex(encodeTrustStore(o.trustStore)) };
      const t0 = performance.now();
      const { meter, result: r } = await xs.call<{ ok: boolean; value: { result: { outcome: string } }; error?: string }>({ name: 'update', args });
      if (!r.ok) throw new Error(`XS update: ${r.error}`);
      rows.push({
        what: `whole emulated update, ${kib} KiB payload (agent + harness inside XS)`,
        engine: 'xs',
        value: `compute ${meter.compute.toLocaleString('en')}; ${(performance.now() - t0).toFixed(0)} ms`,
        note: `${r.value.result.outcome}; heap slots ${meter.currentHeapCount} after the run`,
      });
    }
  } finally {
    await xs.close();
  }
}

export async function runBench(): Promise<string> {
  await nodeCases();
  await xsCases();
  await updateCases();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Benchmarks',
    '',
    'Made by `npm run bench` (tools/bench/run.ts), which rewrites this file.',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${cpu}, Node ${process.version}`,
    '- XS: the `xsnap-worker` built by `@agoric/xsnap` (an older XS than Moddable SDK 8.2.3). `compute` is',
    '  XS\'s own operation count: repeatable, the figure to compare. Wall times are one run on a shared,',
    '  noisy machine: quote ratios within one run only.',
    '',
    '| what | engine | figure | note |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.what} | ${r.engine} | ${r.value} | ${r.note ?? ''} |`),
    '',
  ];
  const node = (w: string) => rows.find((r) => r.engine === 'node' && r.what.startsWith(w));
  const xs = (w: string) => rows.find((r) => r.engine === 'xs' && r.what.startsWith(w));
  const xsV = xs('P-256 verify');
  const nodeV = node('P-256 verify');
  if (xsV && nodeV) {
    const ratio = parseFloat(xsV.value.split('; ')[1]) / parseFloat(nodeV.value);
    lines.push(`In this run a P-256 verify took ${ratio.toFixed(1)}× as long on XS (xsnap) as on Node.`);
  }
  const xsS = xs('SHA-256, 256 KiB');
  const nodeS = node('SHA-256, 1 MiB');
  if (xsS && nodeS) {
    const ratio = (parseFloat(xsS.value.split('; ')[1]) * 4) / parseFloat(nodeS.value);
    lines.push(`SHA-256 per byte took ${ratio.toFixed(0)}× as long on XS as on Node: on a device the platform's native digest belongs behind the Sha256 port (docs/PORTING.md).`);
  }
  lines.push('');
  return lines.join('\n');
}

// Sections other commands write (npm run mcu:bench -- --docs) sit between their own markers
// at the end of the file; they are kept as they are.
const KEPT_FROM = '<!-- mcu:begin';
const previous = existsSync('docs/BENCHMARKS.md') ? readFileSync('docs/BENCHMARKS.md', 'utf8') : '';
const kept = previous.includes(KEPT_FROM) ? previous.slice(previous.indexOf(KEPT_FROM)) : '';
const text = await runBench();
writeFileSync('docs/BENCHMARKS.md', kept ? `${text}\n${kept}` : text);
console.log(text);
