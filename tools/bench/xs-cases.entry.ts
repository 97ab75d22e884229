/**
 * Benchmark cases that run inside XS (bundled by tools/bench/xs-cost.ts). Each measured
 * case has a `prepare…` call that builds its inputs, so the meter of the measured call
 * holds the work alone; per-KiB figures come from two sizes (the difference cancels fixed
 * costs).
 */
import { p256 as curve, nobleP256, nobleSha256 } from '../../device/crypto/index.js';
import { runningImageMatches, UpdateSink } from '../../device/agent/index.js';
import { OtaError } from '../../device/errors.js';
import { ImageError, ImageStream } from '../../device/image/index.js';
import type { Sha256 } from '../../device/ports.js';
import { decodeTrustStore } from '../../device/pki/index.js';
import {
  provisionBootRecord,
  BankWriter,
  hashFlash,
  Journal,
  DownloadStage,
  recordDownloadProgress,
  makeLayout,
  sectorsNeeded,
  type StorageLayout,
} from '../../device/storage/index.js';
import { fromHex, crc32, decodeCbor } from '../../device/util/index.js';
import { PowerRail, FlashMedia, NOR_FF_ALIGN4, type SimFlash } from '../../sim/index.js';
import { serve } from '../../host-tests/xs/entries/serve.js';

/** A digest that does no work: the parser's own cost, without hashing. */
const NO_HASH: Sha256 = { create: () => ({ update: () => undefined, digest: () => new Uint8Array(32) }) };
const BLOCK = 50;
const RUNNING = { runningBank: () => 0 as const, restart: () => undefined };

let file: Uint8Array = new Uint8Array(0);
let payload: Uint8Array = new Uint8Array(0);
let flash: SimFlash | undefined;
let layout: StorageLayout | undefined;
let writeChip: { flash: SimFlash; layout: StorageLayout } | undefined;
let sinkChip: { flash: SimFlash; layout: StorageLayout } | undefined;
let sink: UpdateSink | undefined;
let sinkOffset = 0;

function chip(bankBytes: number): { flash: SimFlash; layout: StorageLayout } {
  const config = { bankSize: bankBytes, metadataSize: 8192 };
  const media = new FlashMedia(NOR_FF_ALIGN4, sectorsNeeded(4096, config) * 4096);
  const f = media.attach(new PowerRail());
  return { flash: f, layout: makeLayout(f, config) };
}

function pseudoRandom(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

serve({
  /** Streams `kib` KiB through SHA-256 in 64-byte blocks (a Zigbee block is smaller still). */
  sha256: (args: { kib: number }) => {
    const block = new Uint8Array(64).fill(0x5a);
    const h = nobleSha256.create();
    for (let i = 0; i < args.kib * 16; i++) h.update(block);
    return h.digest()[0];
  },

  prepareFile: (args: { hex: string }) => {
    file = fromHex(args.hex);
    return file.length;
  },

  /** The streaming parser over the prepared file in 50-byte blocks; `hash` false: a digest that does nothing. */
  parse: (args: { hash: boolean }) => {
    const s = new ImageStream({ sha256: args.hash ? nobleSha256 : NO_HASH, bankSize: 4 << 20 });
    let events = 0;
    try {
      for (let o = 0; o < file.length; ) {
        const r = s.push(file.subarray(o, Math.min(file.length, o + BLOCK)));
        o += r.consumed;
        if (r.event === 'manifest-ready') s.approve();
        if (r.event !== 'more') events++;
      }
    } catch (e) {
      // Without hashing, the payload digest cannot match: the parse is complete when that is the only refusal.
      if (args.hash || !(e instanceof OtaError) || e.code !== ImageError.payloadDigest) throw e;
      events++;
    }
    return events;
  },

  preparePayload: (args: { kib: number }) => {
    payload = pseudoRandom(args.kib * 1024, 7);
    const c = chip(payload.length);
    flash = c.flash;
    layout = c.layout;
    writeChip = chip(payload.length);
    return payload.length;
  },

  /** The bank writer over the prepared payload in 50-byte blocks: erase, program, read back; `hash` false: its digests do nothing. */
  program: (args: { hash: boolean }) => {
    const c = writeChip;
    if (!c) throw new Error('preparePayload first');
    const w = BankWriter.begin(
      { flash: c.flash, sha256: args.hash ? nobleSha256 : NO_HASH, boot: RUNNING },
      c.layout,
      payload.length,
    );
    for (let o = 0; o < payload.length; o += BLOCK)
      w.write(o, payload.subarray(o, Math.min(payload.length, o + BLOCK)));
    w.flush();
    return w.finish().length;
  },

  /** `records` download-progress records, as the agent writes one per sector. */
  journal: (args: { records: number }) => {
    const c = chip(64 * 1024);
    const j = Journal.open(c.flash, c.layout);
    const p = {
      manufacturerCode: 0x1234,
      imageType: 0x42,
      fileVersion: 2,
      manifestDigest: new Uint8Array(32).fill(3),
      fileOffset: 0,
      payloadOffset: 0,
      payloadLength: 1 << 20,
      bank: 1,
      stage: DownloadStage.downloading,
    };
    for (let i = 0; i < args.records; i++)
      recordDownloadProgress(j, { ...p, fileOffset: i * 4096 + 300, payloadOffset: i * 4096 });
    return args.records;
  },

  /** Puts the prepared payload in bank 0 (not metered as the check). */
  prepareBank: () => {
    if (!flash || !layout) throw new Error('preparePayload first');
    flash.media.bytes.set(payload, layout.banks[0].offset);
    return payload.length;
  },

  /** The power-on check of the running image over the prepared bank (a digest that does not match: the hash is the cost, the answer is not). */
  bootCheck: (args: { digestHex: string }) => {
    if (!flash || !layout) throw new Error('preparePayload first');
    return runningImageMatches({ flash, sha256: nobleSha256 }, layout, {
      bank: 0,
      version: 1,
      length: payload.length,
      digest: fromHex(args.digestHex),
    });
  },

  /** Reading the prepared bank back and hashing it (what hashing after the download costs). */
  readBackHash: () => {
    if (!flash || !layout) throw new Error('preparePayload first');
    return hashFlash(flash, nobleSha256, layout.banks[0].offset, payload.length).length;
  },

  /**
   * The world of a download, before the agent's part of it: a chip sized for the prepared
   * file, provisioned with a factory image and an empty journal (the idle heap includes it).
   */
  prepareSinkChip: (args: { currentVersion: number }) => {
    const c = chip(Math.ceil(file.length / 4096) * 4096);
    const factory = pseudoRandom(4096, 3);
    c.flash.media.bytes.set(factory, c.layout.banks[0].offset);
    const h = nobleSha256.create();
    h.update(factory);
    provisionBootRecord(c.flash, c.layout, {
      bank: 0,
      version: args.currentVersion,
      length: factory.length,
      digest: h.digest(),
    });
    Journal.open(c.flash, c.layout);
    sinkChip = c;
    return c.flash.size;
  },

  /**
   * The device's download path as the agent composes it (UpdateSink: streaming verifier,
   * bank writer, metadata record, journal) over the prepared file and chip. Nothing else of
   * the world runs. `sinkSteps` feeds 50-byte blocks in calls of `blocks`, so the caller
   * can read the heap between calls; `sinkEnd` ends the download and lets the sink go.
   */
  sinkBegin: (args: {
    trustHex: string;
    manufacturerCode: number;
    imageType: number;
    fileVersion: number;
    currentVersion: number;
    hardwareVersion: number;
  }) => {
    const c = sinkChip;
    if (!c) throw new Error('prepareSinkChip first');
    sink = new UpdateSink(
      { flash: c.flash, boot: RUNNING, sha256: nobleSha256, p256: nobleP256 },
      c.layout,
      decodeTrustStore(fromHex(args.trustHex)),
      {
        manufacturerCode: args.manufacturerCode,
        imageType: args.imageType,
        hardwareVersion: args.hardwareVersion,
        currentVersion: args.currentVersion,
      },
    );
    sinkOffset = sink.begin({
      manufacturerCode: args.manufacturerCode,
      imageType: args.imageType,
      fileVersion: args.fileVersion,
      imageSize: file.length,
    });
    return sinkOffset;
  },

  sinkSteps: (args: { blocks: number }) => {
    const s = sink;
    if (!s) throw new Error('sinkBegin first');
    for (let n = 0; n < args.blocks && sinkOffset < file.length; ) {
      const block = file.subarray(sinkOffset, Math.min(file.length, sinkOffset + BLOCK));
      const r = s.write(sinkOffset, block);
      if (r.kind === 'need-approval') {
        s.approveErase();
        continue;
      }
      if (r.kind === 'refused') throw r.error;
      sinkOffset += block.length;
      n++;
    }
    return { offset: sinkOffset, done: sinkOffset >= file.length };
  },

  sinkEnd: () => {
    const s = sink;
    if (!s || sinkOffset < file.length) throw new Error('sinkSteps to the end first');
    const end = s.end();
    if (end.kind !== 'ok') throw end.error;
    // The chip stays (it is the world, in the idle figure too); the agent's sink goes.
    sink = undefined;
    return file.length;
  },

  /** CRC-32 over the prepared payload (the journal's check): what a cheaper read-back compare would cost. */
  crc32: () => crc32(payload),

  p256: (args: { digest: string; sig: string; key: string; times: number; direct?: boolean }) => {
    const d = fromHex(args.digest);
    const s = fromHex(args.sig);
    const k = fromHex(args.key);
    let ok = 0;
    for (let i = 0; i < args.times; i++) {
      if (
        args.direct
          ? curve.verify(s, d, k, { prehash: false, lowS: false, format: 'compact' })
          : nobleP256.verify(d, s, k, 'raw')
      )
        ok++;
    }
    return ok;
  },

  cbor: (args: { hex: string; times: number }) => {
    const b = fromHex(args.hex);
    let n = 0;
    for (let i = 0; i < args.times; i++) n += (decodeCbor(b) as Map<number, unknown>).size;
    return n;
  },
});
