/**
 * XS cost rows from the engine's own meter (`compute`: XS's operation count, repeatable
 * across runs and machines). Per-KiB figures are the difference between two sizes, so
 * fixed costs cancel. Heap: `allocate` is the space XS has taken from the system (it
 * never gives it back, so it is the high-water mark); `currentHeapCount` the live slots.
 */
import { p256 as nist } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../device/util/bytes.js';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { bundleForXs, XsWorker, type XsMeter } from '../../host-tests/xs/xsnap-worker.js';
import { benchImage, BLOCK_SIZE, sectorsOf } from './images.js';
import { buildRow, type BenchRow } from './rows.js';

const SECTION = 'XS cost';
const RAN = 'xs (xsnap)';
const SMALL_KIB = 16;
const LARGE_KIB = 64;

export interface XsFigures {
  /** Compute per KiB of payload. */
  sha256PerKiB: number;
  parsePerKiB: number;
  streamHashPerKiB: number;
  programPerKiB: number;
  writerHashPerKiB: number;
  journalPerRecord: number;
  journalPerKiB: number;
  bootCheckPerKiB: number;
  readBackHashPerKiB: number;
  verifyPort: number;
  verifyDirect: number;
  heap: { kib: number; idleAllocate: number; peakAllocate: number; idleSlots: number; liveSlots: number; compute: number; outcome: string }[];
}

async function call(xs: XsWorker, name: string, args: unknown = {}): Promise<XsMeter> {
  const { meter, result } = await xs.call<{ ok: boolean; error?: string }>({ name, args });
  if (!result.ok) throw new Error(`XS ${name}: ${result.error}`);
  return meter;
}

export async function xsFigures(heapKiB: readonly number[] = [256, 1024]): Promise<XsFigures> {
  const xs = await XsWorker.start(await bundleForXs('tools/bench/xs-cases.entry.ts'));
  let f: Omit<XsFigures, 'heap'>;
  try {
    await call(xs, 'sha256', { kib: 1 });
    const perKiB = async (prepare: (kib: number) => Promise<void>, name: string, args: unknown = {}): Promise<number> => {
      await prepare(SMALL_KIB);
      const a = (await call(xs, name, args)).compute;
      await prepare(LARGE_KIB);
      const b = (await call(xs, name, args)).compute;
      return (b - a) / (LARGE_KIB - SMALL_KIB);
    };
    const sha256PerKiB = ((await call(xs, 'sha256', { kib: LARGE_KIB })).compute - (await call(xs, 'sha256', { kib: SMALL_KIB })).compute) / (LARGE_KIB - SMALL_KIB);
    const files = new Map<number, Uint8Array>([SMALL_KIB, LARGE_KIB].map((k) => [k, benchImage(k).file]));
    const prepareFile = async (kib: number) => {
      await call(xs, 'prepareFile', { hex: toHex(files.get(kib)!) });
    };
    const preparePayload = async (kib: number) => {
      await call(xs, 'preparePayload', { kib });
    };
    const parsePerKiB = await perKiB(prepareFile, 'parse', { hash: false });
    const parseHashed = await perKiB(prepareFile, 'parse', { hash: true });
    const programPerKiB = await perKiB(preparePayload, 'program', { hash: false });
    const programHashed = await perKiB(preparePayload, 'program', { hash: true });
    const records = 64;
    const journalPerRecord = ((await call(xs, 'journal', { records: 2 * records })).compute - (await call(xs, 'journal', { records })).compute) / records;
    const withBank = async (kib: number) => {
      await preparePayload(kib);
      await call(xs, 'prepareBank');
    };
    const bootCheck = async (kib: number) => {
      await withBank(kib);
      return (await call(xs, 'bootCheck', { digestHex: '00'.repeat(32) })).compute;
    };
    const bootCheckPerKiB = ((await bootCheck(LARGE_KIB)) - (await bootCheck(SMALL_KIB))) / (LARGE_KIB - SMALL_KIB);
    const readBackHashPerKiB = await perKiB(withBank, 'readBackHash');
    const key = nist.getPublicKey(sha256(new Uint8Array([1, 2, 3])), false);
    const digest = sha256(new Uint8Array([4, 5, 6]));
    const sig = nist.sign(digest, sha256(new Uint8Array([1, 2, 3])), { prehash: false, lowS: false });
    const v = { digest: toHex(digest), sig: toHex(sig), key: toHex(key) };
    await call(xs, 'p256', { ...v, times: 1 });
    const verifyPort = (await call(xs, 'p256', { ...v, times: 10 })).compute / 10;
    await call(xs, 'p256', { ...v, times: 1, direct: true });
    const verifyDirect = (await call(xs, 'p256', { ...v, times: 10, direct: true })).compute / 10;
    f = {
      sha256PerKiB,
      parsePerKiB,
      streamHashPerKiB: parseHashed - parsePerKiB,
      programPerKiB,
      writerHashPerKiB: programHashed - programPerKiB,
      journalPerRecord,
      journalPerKiB: journalPerRecord / 4,
      bootCheckPerKiB,
      readBackHashPerKiB,
      verifyPort,
      verifyDirect,
    };
  } finally {
    await xs.close();
  }
  const heap: XsFigures['heap'] = [];
  const agentBundle = await bundleForXs('host-tests/xs/entries/agent.entry.ts');
  for (const kib of heapKiB) heap.push({ kib, ...(await wholeUpdateHeap(agentBundle, kib)) });
  return { ...f, heap };
}

/** One whole update (agent, bootloader, CH and link) in a fresh XS machine: its heap before and after. */
async function wholeUpdateHeap(bundle: string, kib: number) {
  const xs = await XsWorker.start();
  try {
    await xs.evaluate(bundle);
    const idle = await xs.evaluate('gc()');
    const o = benchImage(kib).options;
    const args = { ...o, image: toHex(o.image), trustStore: toHex(encodeTrustStore(o.trustStore)) };
    const { meter, result } = await xs.call<{ ok: boolean; value: { result: { outcome: string } }; error?: string }>({ name: 'update', args });
    if (!result.ok) throw new Error(`XS update ${kib} KiB: ${result.error}`);
    const after = await xs.evaluate('gc()');
    return {
      idleAllocate: idle.meter.allocate,
      peakAllocate: Math.max(meter.allocate, after.meter.allocate),
      idleSlots: idle.meter.currentHeapCount,
      liveSlots: after.meter.currentHeapCount,
      compute: meter.compute,
      outcome: result.value.result.outcome,
    };
  } finally {
    await xs.close();
  }
}

export function xsRows(f: XsFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  const sha = f.sha256PerKiB;
  const part = (what: string, figure: number, floor: number, floorHow: string, target: number, whyNot: string, note?: string) =>
    rows.push(buildRow({ section: SECTION, what, figure, unit: 'compute/KiB', floor, floorHow, target: { on: 'ratio', op: '<=', value: target }, whyNot, ran: RAN, note }));
  const path = f.parsePerKiB + f.streamHashPerKiB + f.programPerKiB + f.writerHashPerKiB + f.journalPerKiB;
  part(
    'Download path per KiB: parse + hashes + flash program + journal',
    path,
    2 * sha,
    'two SHA-256 digests per KiB (payload digest for the manifest, Manufacturer Image digest for the supplier signature)',
    1.5,
    'the bank writer keeps two digests of its own (the bytes written, then the whole bank read back at finish) beside the stream\'s two, so each payload byte is hashed four times; ' +
      'the writer already compares every piece it reads back, so its input digest could go, and the read-back digest could be compared with the stream\'s payload digest instead — two digests per byte, which meets the target',
    `parse ${Math.round(f.parsePerKiB).toLocaleString('en')}, stream digests ${Math.round(f.streamHashPerKiB).toLocaleString('en')}, program ${Math.round(f.programPerKiB).toLocaleString('en')}, writer digests ${Math.round(f.writerHashPerKiB).toLocaleString('en')}, journal ${Math.round(f.journalPerKiB).toLocaleString('en')}`,
  );
  part('  parse (the streaming parser, a digest that does nothing)', f.parsePerKiB, sha, 'one SHA-256 digest per KiB (the yardstick)', 0.25, 'the parser touches each byte in JavaScript');
  part('  hash (the stream\'s two digests)', f.streamHashPerKiB, 2 * sha, 'two SHA-256 digests per KiB', 1.02, 'the stream hashes in block-sized pieces; larger pieces would meet it');
  part('  flash program (erase, program, read back and compare; its digests not counted)', f.programPerKiB, sha, 'one SHA-256 digest per KiB (the yardstick)', 0.5, 'the writer copies each block into its buffer and compares each read-back piece in JavaScript');
  part('  bank writer\'s own digests (bytes written, bank read back at finish)', f.writerHashPerKiB, 0, 'none: the stream already holds the payload digest', 0, 'see the download path row');
  part(
    '  journal (one progress record per sector of payload)',
    f.journalPerKiB,
    sha,
    'one SHA-256 digest per KiB (the yardstick)',
    0.25,
    'a record is CBOR-encoded, CRC-32 checked and read back',
    `${Math.round(f.journalPerRecord).toLocaleString('en')} per record, one record per 4 KiB`,
  );
  rows.push(
    buildRow({
      section: SECTION,
      what: 'P-256 signature verify through the P256Verifier port',
      figure: f.verifyPort,
      unit: 'compute',
      floor: f.verifyDirect,
      floorHow: 'the same curve\'s verify called directly in the same XS (no port checks)',
      target: { on: 'ratio', op: '<=', value: 1.05 },
      whyNot: 'the port checks lengths and the point prefix and catches throws around the curve\'s verify',
      ran: RAN,
      note: 'an update verifies 3 signatures: manufacturer manifest, the chain\'s certificate, supplier',
    }),
  );
  part('Boot: running-image check per KiB (read the bank, hash, compare)', f.bootCheckPerKiB, sha, 'one SHA-256 digest per KiB', 1.1, 'reading flash into a 256-byte scratch costs a port call per piece');
  const [small, large] = [f.heap[0], f.heap[f.heap.length - 1]];
  if (small && large && small !== large) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Live heap slots after a whole update (after gc): ${large.kib} KiB image against ${small.kib} KiB`,
        figure: large.liveSlots,
        unit: 'slots',
        floor: small.liveSlots,
        floorHow: `the same after a ${small.kib} KiB update (RAM must not grow with image size)`,
        target: { on: 'ratio', op: '<=', value: 1.01 },
        whyNot: 'something outlives the update and grows with the image',
        ran: RAN,
      }),
    );
    rows.push(
      buildRow({
        section: SECTION,
        what: `XS heap reservation (allocate) after a whole update: ${large.kib} KiB image against ${small.kib} KiB`,
        figure: large.peakAllocate,
        unit: 'B',
        floor: small.peakAllocate,
        floorHow: `the same for a ${small.kib} KiB image`,
        target: { on: 'ratio', op: '<=', value: 1 },
        whyNot: 'the run needed more heap than xsnap reserves at start (32 MiB of chunks, 256 Ki slots) for the larger image',
        ran: RAN,
        note: 'xsnap never returns heap, so this is the high-water mark, but at the granularity of its initial reservation; the emulated chip and the served file live in the same heap',
      }),
    );
  }
  for (const h of f.heap) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Live heap slots after a whole ${h.kib} KiB update against idle (both after gc)`,
        figure: h.liveSlots,
        unit: 'slots',
        floor: h.idleSlots,
        floorHow: 'the same XS machine with the agent, the emulated world and crypto loaded, before the update',
        target: { on: 'ratio', op: '<=', value: 1.25 },
        whyNot: 'the update leaves more live objects behind than the loaded code and data',
        ran: RAN,
        note: `${h.outcome}; compute ${h.compute.toLocaleString('en')} (harness included)`,
      }),
    );
  }
  return rows;
}

/** The XS compute an update costs on the device, from the per-KiB figures (for the energy rows). */
export function deviceComputePerUpdate(f: XsFigures, fileBytes: number, payloadBytes: number, signatures = 3): number {
  const kib = (b: number) => b / 1024;
  const path = f.parsePerKiB + f.streamHashPerKiB + f.programPerKiB + f.writerHashPerKiB;
  // The journal records once per sector; the boot check runs at the trial boot and at the confirmed boot after it.
  return path * kib(fileBytes) + f.journalPerRecord * sectorsOf(payloadBytes) + f.verifyPort * signatures + 2 * f.bootCheckPerKiB * kib(payloadBytes);
}

export { BLOCK_SIZE };
