/**
 * XS cost rows from the engine's own meter (`compute`: XS's operation count, repeatable
 * across runs and machines). Per-KiB figures are the difference between two sizes, so
 * fixed costs cancel. Heap: the download runs in calls of a few blocks; between calls,
 * after a full collection, the meter's `currentHeapCount` gives the live slots and an XS
 * snapshot's size the live bytes (slots and chunks), so idle, peak and after are read
 * while the update runs. (`allocate`, the space xsnap has reserved, only ever shows its
 * initial reservation here.)
 */
import { performance } from 'node:perf_hooks';
import { p256 as nist } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../device/util/index.js';
import { encodeTrustStore } from '../../device/pki/index.js';
import { bundleForXs, XsWorker, type XsMeter } from '../../host-tests/xs/xsnap-worker.js';
import { SIMULATED_DEVICE } from '../simulate/fresh-image.js';
import { digestCosts } from './digests.js';
import { benchImage, BLOCK_SIZE } from './images.js';
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
  /** The download path as the agent composes it (UpdateSink), per KiB of file: from the two heap runs. */
  sinkPerKiB: number;
  crc32PerKiB: number;
  heap: HeapRun[];
}

async function call(xs: XsWorker, name: string, args: unknown = {}): Promise<XsMeter> {
  const { meter, result } = await xs.call<{ ok: boolean; error?: string }>({ name, args });
  if (!result.ok) throw new Error(`XS ${name}: ${result.error}`);
  return meter;
}

/** Image sizes of the heap runs: RAM must not grow from one to the other. */
export const HEAP_KIB = [256, 1024] as const;

export async function xsFigures(heapKiB: readonly number[] = HEAP_KIB): Promise<XsFigures> {
  const started = performance.now();
  const xs = await XsWorker.start(await bundleForXs('tools/bench/xs-cases.entry.ts'));
  let f: Omit<XsFigures, 'heap' | 'sinkPerKiB'>;
  try {
    await call(xs, 'sha256', { kib: 1 });
    const perKiB = async (
      prepare: (kib: number) => Promise<void>,
      name: string,
      args: unknown = {},
    ): Promise<number> => {
      await prepare(SMALL_KIB);
      const a = (await call(xs, name, args)).compute;
      await prepare(LARGE_KIB);
      const b = (await call(xs, name, args)).compute;
      return (b - a) / (LARGE_KIB - SMALL_KIB);
    };
    const sha256PerKiB =
      ((await call(xs, 'sha256', { kib: LARGE_KIB })).compute -
        (await call(xs, 'sha256', { kib: SMALL_KIB })).compute) /
      (LARGE_KIB - SMALL_KIB);
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
    const journalPerRecord =
      ((await call(xs, 'journal', { records: 2 * records })).compute -
        (await call(xs, 'journal', { records })).compute) /
      records;
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
    const crc32PerKiB = await perKiB(preparePayload, 'crc32');
    const key = nist.getPublicKey(sha256(new Uint8Array([1, 2, 3])), false);
    const digest = sha256(new Uint8Array([4, 5, 6]));
    const sig = nist.sign(digest, sha256(new Uint8Array([1, 2, 3])), { prehash: false, lowS: false });
    const v = { digest: toHex(digest), sig: toHex(sig), key: toHex(key) };
    await call(xs, 'p256', { ...v, times: 1 });
    const verifyPort = (await call(xs, 'p256', { ...v, times: 10 })).compute / 10;
    await call(xs, 'p256', { ...v, times: 1, direct: true });
    const verifyDirect = (await call(xs, 'p256', { ...v, times: 10, direct: true })).compute / 10;
    console.error(`bench: xs per-KiB cases ${((performance.now() - started) / 1000).toFixed(1)} s`);
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
      crc32PerKiB,
      verifyPort,
      verifyDirect,
    };
  } finally {
    await xs.close();
  }
  const heap: XsFigures['heap'] = [];
  const bundle = await bundleForXs('tools/bench/xs-cases.entry.ts');
  for (const kib of heapKiB) {
    const t0 = performance.now();
    heap.push({ kib, ...(await sinkHeap(bundle, kib)) });
    console.error(
      `bench: xs download through UpdateSink, ${kib} KiB ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const [a, b] = [heap[0], heap[heap.length - 1]];
  const fileKiB = (kib: number) => benchImage(kib).file.length / 1024;
  const sinkPerKiB = (b.compute - a.compute) / (fileKiB(b.kib) - fileKiB(a.kib));
  return { ...f, sinkPerKiB, heap };
}

/** Blocks per call between heap samples: 3,050 B, out of phase with the 4 KiB sector, so samples fall at every point of its cycle. */
export const SAMPLE_BLOCKS = 61;
/** Every this many samples, the live bytes too (an XS snapshot, written to /dev/null). */
const BYTES_EVERY = 8;

export interface HeapRun {
  kib: number;
  /** Live slots and bytes (after a full collection) with the code, the emulated chip and the file loaded. */
  idleSlots: number;
  idleBytes: number;
  /** The largest live slots and bytes sampled between blocks during the download. */
  peakSlots: number;
  peakBytes: number;
  /** After the download ended and its sink was let go (the chip and file still loaded). */
  afterSlots: number;
  afterBytes: number;
  /** Bytes of the emulated world in the same heap: the chip (its bytes and two wear counters per sector) and the file. */
  worldBytes: number;
  samples: number;
  bytesSamples: number;
  /** XS compute for the whole download (sink begin, blocks, end), the sampling calls' own cost taken out. */
  compute: number;
  allocate: number;
}

/**
 * The device's download path (UpdateSink over a provisioned chip) for a `kib` KiB image in
 * a fresh XS machine, fed SAMPLE_BLOCKS blocks per call. Each call's reply carries the
 * live slots after a collection (serve collects before replying); every BYTES_EVERY calls
 * xsnap also measures the live bytes (slots and chunks). The chip and the file are loaded
 * before the idle figure, so peak − idle is what the download itself holds.
 */
export async function sinkHeap(bundle: string, kib: number): Promise<Omit<HeapRun, 'kib'>> {
  const xs = await XsWorker.start(bundle);
  try {
    const image = benchImage(kib);
    const o = image.options;
    await call(xs, 'prepareFile', { hex: toHex(image.file) });
    const flashSize = (
      await xs.call<{ ok: boolean; value: number }>({
        name: 'prepareSinkChip',
        args: { currentVersion: o.currentVersion },
      })
    ).result.value;
    const worldBytes = flashSize + 8 * (flashSize / 4096) + image.file.length;
    const idle = await xs.evaluate('gc()');
    const idleBytes = await xs.liveBytes();
    let compute = (
      await call(xs, 'sinkBegin', {
        trustHex: toHex(encodeTrustStore(o.trustStore)),
        manufacturerCode: SIMULATED_DEVICE.manufacturerCode,
        imageType: SIMULATED_DEVICE.imageType,
        fileVersion: o.currentVersion + 1,
        currentVersion: o.currentVersion,
        hardwareVersion: o.hardwareVersion,
      })
    ).compute;
    // A call that feeds no block: the request, reply and collection every sample costs.
    const overhead = (await call(xs, 'sinkSteps', { blocks: 0 })).compute;
    let peakSlots = idle.meter.currentHeapCount;
    let peakBytes = idleBytes;
    let samples = 0;
    let bytesSamples = 0;
    let allocate = idle.meter.allocate;
    for (let done = false; !done; ) {
      const { meter, result } = await xs.call<{ ok: boolean; value: { done: boolean }; error?: string }>({
        name: 'sinkSteps',
        args: { blocks: SAMPLE_BLOCKS },
      });
      if (!result.ok) throw new Error(`XS sinkSteps: ${result.error}`);
      done = result.value.done;
      compute += meter.compute - overhead;
      allocate = Math.max(allocate, meter.allocate);
      peakSlots = Math.max(peakSlots, meter.currentHeapCount);
      samples++;
      if (samples % BYTES_EVERY === 0) {
        peakBytes = Math.max(peakBytes, await xs.liveBytes());
        bytesSamples++;
      }
    }
    const end = await call(xs, 'sinkEnd');
    compute += end.compute;
    const after = await xs.evaluate('gc()');
    return {
      idleSlots: idle.meter.currentHeapCount,
      idleBytes,
      peakSlots,
      peakBytes,
      afterSlots: after.meter.currentHeapCount,
      afterBytes: await xs.liveBytes(),
      worldBytes,
      samples,
      bytesSamples,
      compute,
      allocate: Math.max(allocate, after.meter.allocate),
    };
  } finally {
    await xs.close();
  }
}

export function xsRows(f: XsFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  const sha = f.sha256PerKiB;
  const part = (
    what: string,
    figure: number,
    floor: number,
    floorHow: string,
    target: number,
    whyNot: string,
    note?: string,
  ) =>
    rows.push(
      buildRow({
        section: SECTION,
        what,
        figure,
        unit: 'compute/KiB',
        floor,
        floorHow,
        target: { on: 'ratio', op: '<=', value: target },
        whyNot,
        ran: RAN,
        note,
      }),
    );
  const path = f.parsePerKiB + f.streamHashPerKiB + f.programPerKiB + f.writerHashPerKiB + f.journalPerKiB;
  const inputHashPerKiB = f.writerHashPerKiB - f.readBackHashPerKiB;
  const d = digestCosts(f);
  part(
    'Download path per KiB of file, through UpdateSink (parse, verify, hashes, flash program, journal)',
    f.sinkPerKiB,
    2 * sha,
    'two SHA-256 digests per KiB (payload digest for the manifest, Manufacturer Image digest for the supplier signature)',
    1.5,
    "the bank writer keeps two digests of its own (the bytes it is given, then the whole bank read back at finish) beside the stream's two, so each payload byte is hashed four times; " +
      `dropping the input digest (redundant) brings it to ${(d.withoutInput / (2 * sha)).toFixed(2)}×; comparing CRC-32s instead of both writer digests would meet the target (${(d.crcReadBack / (2 * sha)).toFixed(2)}×), at the cost described in "The four digests" below`,
    `the parts below sum to ${Math.round(path).toLocaleString('en')}: parse ${Math.round(f.parsePerKiB).toLocaleString('en')}, stream digests ${Math.round(f.streamHashPerKiB).toLocaleString('en')}, program ${Math.round(f.programPerKiB).toLocaleString('en')}, writer's input digest ${Math.round(inputHashPerKiB).toLocaleString('en')}, read-back digest ${Math.round(f.readBackHashPerKiB).toLocaleString('en')}, journal ${Math.round(f.journalPerKiB).toLocaleString('en')}`,
  );
  part(
    '  parse (the streaming parser, a digest that does nothing)',
    f.parsePerKiB,
    sha,
    'one SHA-256 digest per KiB (the yardstick)',
    0.25,
    'the parser touches each byte in JavaScript',
  );
  part(
    "  hash (the stream's two digests)",
    f.streamHashPerKiB,
    2 * sha,
    'two SHA-256 digests per KiB',
    1.02,
    'the stream hashes in block-sized pieces; larger pieces would meet it',
  );
  part(
    '  flash program (erase, program, read back and compare; its digests not counted)',
    f.programPerKiB,
    sha,
    'one SHA-256 digest per KiB (the yardstick)',
    0.5,
    'the writer copies each block into its buffer and compares each read-back piece in JavaScript',
  );
  part(
    "  bank writer's input digest (the bytes it is given)",
    inputHashPerKiB,
    0,
    'none: the stream hashes the very same bytes for the payload digest',
    0,
    "the session hands the writer the bytes it has just hashed for the payload digest, and finish compares the read-back digest with the manifest's payload digest as well, so this digest proves nothing the other two do not: " +
      'BankWriter could skip it when the caller gives the expected digest up front (UpdateSink knows it before the first erase); see "The four digests" below',
  );
  part(
    "  bank writer's read-back digest (the whole bank read from flash and hashed at finish)",
    f.readBackHashPerKiB,
    sha,
    'one SHA-256 digest per KiB: the least that proves the bank equals the signed payload',
    1.1,
    'reading flash into a 256-byte scratch costs a port call per piece',
    `a CRC-32 of the bank would cost ${Math.round(f.crc32PerKiB).toLocaleString('en')}/KiB but proves less (see "The four digests" and Alternatives)`,
  );
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
      floorHow: "the same curve's verify called directly in the same XS (no port checks)",
      target: { on: 'ratio', op: '<=', value: 1.05 },
      whyNot: "the port checks lengths and the point prefix and catches throws around the curve's verify",
      ran: RAN,
      note: "an update verifies 3 signatures: manufacturer manifest, the chain's certificate, supplier",
    }),
  );
  part(
    'Boot: running-image check per KiB (read the bank, hash, compare)',
    f.bootCheckPerKiB,
    sha,
    'one SHA-256 digest per KiB',
    1.1,
    'reading flash into a 256-byte scratch costs a port call per piece',
  );
  const kb = (n: number) => `${Math.round(n).toLocaleString('en')} B`;
  /** The device's share of a live-bytes figure: the emulated chip and file taken out (on a device they are flash and the air). */
  const device = (h: HeapRun, bytes: number) => bytes - h.worldBytes;
  const sampling = (h: HeapRun) =>
    `sampled between blocks every ${SAMPLE_BLOCKS} blocks (${h.samples} samples; live bytes at ${h.bytesSamples} of them, an XS snapshot each), all after a full collection; what lives only inside one call (a signature verify's temporaries) is not seen`;
  for (const h of f.heap) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Live heap during the download of a ${h.kib} KiB image: peak against idle (slots and chunks, the emulated chip and file taken out)`,
        figure: device(h, h.peakBytes),
        unit: 'B',
        floor: device(h, h.idleBytes),
        floorHow: 'idle: the same XS machine with the code loaded, before the download',
        target: { on: 'ratio', op: '<=', value: 1.05 },
        whyNot: 'the download holds more than a twentieth of what the loaded code does',
        ran: RAN,
        note:
          `idle ${kb(device(h, h.idleBytes))}, peak ${kb(device(h, h.peakBytes))} (+${kb(h.peakBytes - h.idleBytes)}), after ${kb(device(h, h.afterBytes))}; ` +
          `slots idle ${h.idleSlots.toLocaleString('en')}, peak ${h.peakSlots.toLocaleString('en')}, after ${h.afterSlots.toLocaleString('en')}; the emulated chip and file (${kb(h.worldBytes)}) are in the heap, and taken out; ${sampling(h)}`,
      }),
    );
    rows.push(
      buildRow({
        section: SECTION,
        what: `Live heap after the download of a ${h.kib} KiB image against idle (slots and chunks)`,
        figure: h.afterBytes,
        unit: 'B',
        floor: h.idleBytes,
        floorHow: 'idle: before the download, the emulated chip and file loaded',
        target: { on: 'ratio', op: '<=', value: 1.001 },
        whyNot: 'something outlives the download',
        ran: RAN,
        note: `${kb(h.afterBytes - h.idleBytes)} more than idle; compute ${h.compute.toLocaleString('en')} for the whole download (3 signature verifies included)`,
      }),
    );
  }
  const [small, large] = [f.heap[0], f.heap[f.heap.length - 1]];
  if (small && large && small !== large) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Heap the download holds at its peak (live bytes above idle): ${large.kib} KiB image against ${small.kib} KiB`,
        figure: large.peakBytes - large.idleBytes,
        unit: 'B',
        floor: small.peakBytes - small.idleBytes,
        floorHow: `the same for a ${small.kib} KiB image (RAM must not grow with image size)`,
        target: { on: 'ratio', op: '<=', value: 1.01 },
        whyNot: 'something the download holds grows with the image',
        ran: RAN,
      }),
    );
    rows.push(
      buildRow({
        section: SECTION,
        what: `Live heap slots at the download's peak, above idle: ${large.kib} KiB image against ${small.kib} KiB`,
        figure: large.peakSlots - large.idleSlots,
        unit: 'slots',
        floor: small.peakSlots - small.idleSlots,
        floorHow: `the same for a ${small.kib} KiB image`,
        target: { on: 'ratio', op: '<=', value: 1.02 },
        whyNot: 'the number of objects the download holds grows with the image',
        ran: RAN,
        note: `xsnap's own reservation (allocate) stayed at ${small.allocate.toLocaleString('en')} B and ${large.allocate.toLocaleString('en')} B: the runs never needed more heap than it reserves at start`,
      }),
    );
  }
  return rows;
}

/** The XS compute an update costs on the device, from the per-KiB figures (for the energy rows). */
export function deviceComputePerUpdate(f: XsFigures, fileBytes: number, payloadBytes: number, signatures = 3): number {
  const kib = (b: number) => b / 1024;
  const path = f.sinkPerKiB;
  // The download path per KiB (journal included; its fixed costs and the verifies cancel in the difference),
  // the signature verifies, and the running-image check at the trial boot and at the confirmed boot after it.
  return path * kib(fileBytes) + f.verifyPort * signatures + 2 * f.bootCheckPerKiB * kib(payloadBytes);
}

export { BLOCK_SIZE };
