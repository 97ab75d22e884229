/**
 * MCU entry "platform/mcu/bench-download": one image received through the agent's own
 * UpdateSink (streaming parser, SHA-256, manifest and chain verification, bank writer,
 * metadata record, journal) into flash kept in a host file, with the native crypto ports.
 * Blocks of `block=` bytes (default 50, a Zigbee OTA block) are read from the OTA file
 * `image=` as the radio would deliver them. Reports instructions and RAM per phase:
 * the power-on check of the running image, begin, authentication (header, manifest,
 * signature, chain), the first erase, the payload per KiB, the end-of-image checks and a
 * re-check of the received bank. Arguments (QEMU -append):
 *   platform/mcu/bench-download image=image-256.ota flash=flash.bin trust=trust.bin [block=50]
 * The host runner (tools/mcu/run.ts) makes the files. Exit 0 when the image was accepted.
 * Relaunched on the same flash file after a power cut (`cut=N [torn]`, c/host-flash.c), it
 * resumes where the journal says, as the agent does after a reset.
 */
import { commandLine, exit, instructions, memory } from 'mcu/native';
import * as hostFile from 'mcu/host-flash';
import { UpdateSink } from '../../agent/index.js';
import { DEFAULT_BUILD } from '../../agent/index.js';
import { decodeTrustStore } from '../../pki/index.js';
import { hashFlash } from '../../storage/index.js';
import { provisionBootRecord } from '../../storage/index.js';
import { readBootRecord } from '../../storage/index.js';
import { makeLayout } from '../../storage/index.js';
import { parseOtaHeader } from '../../image/index.js';
import { nativeP256 } from '../moddable/p256-native.js';
import { nativeSha256 } from '../moddable/sha256-native.js';
import { reportBoot } from './bench-boot.js';
import { HostFileFlash } from './host-flash.js';
import { measure, ramRow, row } from './report.js';

/** The running image's version at provisioning: the offered image must be newer. */
const RUNNING_VERSION = 0x01000000;
const CHECK_KIB = 64;

const entered = instructions();
reportBoot(entered);

const args: Record<string, string> = {};
for (const token of commandLine().split(' ')) {
  const eq = token.indexOf('=');
  if (eq > 0) args[token.slice(0, eq)] = token.slice(eq + 1);
}
const blockSize = Number(args.block ?? '50');
const flashLength = (() => {
  const h = hostFile.open(args.flash as string, false);
  const n = hostFile.length(h);
  hostFile.close(h);
  return n;
})();
const flash = new HostFileFlash(args.flash as string, flashLength);
const layout = makeLayout(flash, DEFAULT_BUILD.layout);
const running = layout.banks[0];

// The trust store as provisioning would hold it. It is read from its host file rather than
// the journal: the test PKI's store (root, two supplier cells, manufacturer anchor, about
// 1.7 KB) exceeds one journal record (JOURNAL_MAX_BODY, 1536 bytes).
const trustFile = hostFile.open(args.trust as string, false);
const trustBytes = new Uint8Array(hostFile.length(trustFile));
hostFile.read(trustFile, 0, trustBytes);
hostFile.close(trustFile);
const trust = decodeTrustStore(trustBytes);

// Provisioning, once per fresh flash file: a confirmed boot record for bank 0.
try {
  readBootRecord(flash, layout);
} catch {
  const digest = hashFlash(flash, nativeSha256, running.offset, CHECK_KIB * 1024);
  provisionBootRecord(flash, layout, { bank: 0, version: RUNNING_VERSION, length: CHECK_KIB * 1024, digest });
}

// The XS stack in use where this harness calls the agent: about 2 KiB is XS's own (its
// intrinsics, the constructors and prototypes, live at the top of the XS stack; the same on
// a device), a little the module body, phase, measure and the closure. The agent's own share
// of a phase's stack peak is the peak minus this.
let stackAtCall = 0;
const phase = (name: string, work: () => void, kib = 0): void => {
  const m = measure(() => {
    stackAtCall = memory().stackNow;
    work();
  });
  row('phase', {
    phase: name,
    instructions: m.instructions,
    gc: m.gc,
    ...(kib ? { perKiB: Math.round(m.instructions / kib) } : {}),
  });
  row('stack', { phase: name, atCall: stackAtCall, peak: memory().stackPeak });
  ramRow(name);
};

phase(
  `power-on check of the running image (${CHECK_KIB} KiB)`,
  () => hashFlash(flash, nativeSha256, running.offset, CHECK_KIB * 1024),
  CHECK_KIB,
);

const ports = { flash, boot: { runningBank: () => 0, restart: () => exit(0) }, sha256: nativeSha256, p256: nativeP256 };
const sink = new UpdateSink(ports, layout, trust, {
  manufacturerCode: DEFAULT_BUILD.manufacturerCode,
  imageType: DEFAULT_BUILD.imageType,
  hardwareVersion: DEFAULT_BUILD.hardwareVersion,
  currentVersion: RUNNING_VERSION,
});

const image = hostFile.open(args.image as string, false);
const imageSize = hostFile.length(image);
// What the Query Next Image Response would name: the OTA header's identity and size.
const headerBytes = new Uint8Array(Math.min(imageSize, 69));
hostFile.read(image, 0, headerBytes);
const header = parseOtaHeader(headerBytes);
const identity = {
  manufacturerCode: header.manufacturerCode,
  imageType: header.imageType,
  fileVersion: header.fileVersion,
  imageSize,
};
let offset = 0;
phase('begin (journal read, nothing erased)', () => {
  offset = sink.begin(identity);
});

const block = new Uint8Array(blockSize);
let failure = '';
/** Feeds blocks until `stopAt` (file offset) or until the sink asks for approval; returns false on a refusal. */
function feed(stopAt: number): boolean {
  while (offset < stopAt) {
    const n = Math.min(blockSize, imageSize - offset);
    const bytes = n === blockSize ? block : new Uint8Array(n);
    hostFile.read(image, offset, bytes);
    const r = sink.write(offset, bytes);
    if (r.kind === 'need-approval') return true;
    if (r.kind === 'refused') {
      failure = `${r.error.code}: ${r.error.message}`;
      return false;
    }
    offset += n;
  }
  return true;
}

let ok = true;
const resumedAt = offset;
if (resumedAt === 0) {
  phase('authentication: header, manifest, signature, chain (blocks until need-approval)', () => {
    ok = feed(imageSize);
  });
  phase('first erase approved (progress record, bank writer, metadata record)', () => sink.approveErase());
}
const payloadStart = offset;
const payloadKiB = Math.max(0, imageSize - payloadStart - 66) / 1024;
phase(
  `download path: ${blockSize}-byte blocks (receive, parse, hash, program, journal)`,
  () => {
    ok = ok && feed(imageSize);
  },
  payloadKiB,
);
let ended = false;
phase('end of image: payload digest, supplier signature, bank read-back', () => {
  const r = ok ? sink.end() : undefined;
  ended = r?.kind === 'ok';
  if (r && r.kind === 'refused') failure = `${r.error.code}: ${r.error.message}`;
});
const held = sink.held;
if (held) {
  phase(
    `re-check of the received bank (${Math.floor(held.payloadLength / 1024)} KiB)`,
    () => {
      hashFlash(flash, nativeSha256, layout.banks[held.bank]!.offset, held.payloadLength);
    },
    held.payloadLength / 1024,
  );
}
row('download', { imageSize, blockSize, resumedAt, accepted: ended, failure, flashOperations: hostFile.operations() });
hostFile.close(image);
flash.close();
exit(ended ? 0 : 1);
