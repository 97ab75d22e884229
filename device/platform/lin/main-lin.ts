/**
 * Entry of the lin build (device/platform/lin/manifest.json): the whole agent on the
 * Moddable simulator, over the lin ports. It connects to its supervisor, waits for the
 * hello that says which bank the bootloader started (and whether a flash fault is to be
 * injected), opens the flash file, and starts the agent. The build's identity comes from
 * mc/config (mcconfig `version=` and `variant=`): the supervisor builds v1, v2 and broken
 * variants from this one source and checks that the build it hears from is the one the
 * bootloader chose from the bank.
 *
 * Variants: `good`; `selftest-fail` (a vendor check of the trial fails: the agent does not
 * confirm and restarts, the bootloader reverts); `exit-at-start` (the build dies before
 * the agent runs: the trial count runs out and the bootloader reverts); `conformance` (no
 * agent: the port conformance suites against these ports, conformance-lin.ts).
 */
import config from 'mc/config';
import * as filesModule from 'embedded:storage/files';
import exit from 'lin/exit';
import LinkSocket from 'lin/link-socket';
import meters from 'lin/meters';
import Timer from 'timer';
import { Agent, loadTrustStore, type SelfTestCheck } from '../../agent/index.js';
import type { Ports } from '../../ports.js';
import { makeLayout } from '../../storage/index.js';
import { moddableClock } from '../moddable/clock.js';
import { mainsPower } from '../moddable/power-mains.js';
import { cryptoPortsKind, platformP256, platformSha256 } from '../crypto-ports.js';
import { linActivation } from './activation.js';
import { linBootControl } from './boot-control.js';
import { runLinConformance } from './conformance-lin.js';
import { FileFlash, type FileLike } from './file-flash.js';
import { LIN_BUILD, LIN_FLASH, LIN_SELF_TEST_MS, LIN_TRIAL_WINDOW_SECONDS } from './lin-build.js';
import { LinLink } from './link.js';
import { LinExit, LinMessage, ascii, decodeHello, type Hello } from './link-protocol.js';
import { linReporter } from './reporter.js';
import { linTransport } from './transport.js';

const VERSION = Number(config.version ?? 0);
const VARIANT = String(config.variant ?? 'good');
const PORT = Number(config.port ?? 5919);

const link = new LinLink();
const meter = new Float64Array(8);
/**
 * Lifetime maxima sampled every 100 ms. XS keeps the slot and chunk peaks itself; the
 * simulator's instrumentation resets the stack peak and the GC count every second, so the
 * stack's lifetime peak is the maximum of the samples, and GCs are a per-second rate.
 */
const peak = { slots: 0, chunks: 0, stack: 0, gcPerSecond: 0 };

function event(kind: string, fields: Record<string, unknown>): void {
  try {
    link.send(LinMessage.event, ascii(JSON.stringify({ kind, ...fields })));
  } catch {
    // events are for the supervisor's log; the agent never depends on them
  }
}

function sampleMeters(): void {
  meters(meter.buffer);
  if (meter[0] > peak.slots) peak.slots = meter[0];
  if (meter[2] > peak.chunks) peak.chunks = meter[2];
  if (meter[4] > peak.stack) peak.stack = meter[4];
  if (meter[5] > peak.gcPerSecond) peak.gcPerSecond = meter[5];
}

function reportMeters(at: string): void {
  sampleMeters();
  event('meters', {
    at,
    slots: meter[0],
    peakSlots: meter[1],
    chunks: meter[2],
    peakChunks: meter[3],
    peakStack: peak.stack,
    gc: peak.gcPerSecond,
    slotBytes: meter[6],
    chunkCeiling: meter[7],
  });
}

function openFlash(hello: Hello): FileFlash {
  const files = (filesModule as unknown as { default: filesModule.Directory }).default;
  const file = files.openFile({ path: hello.flashFile, mode: 'r+' });
  const io: FileLike = {
    read: (into, position) => {
      file.read(into, position);
    },
    write: (from, position) => file.write(from, position),
    flush: () => file.flush(),
  };
  const size = file.status().size;
  const probe = { size, ...LIN_FLASH };
  const syncBelow = makeLayout(probe, LIN_BUILD.layout).banks[0].offset;
  const cut =
    hello.cutAt === undefined
      ? undefined
      : { at: hello.cutAt, torn: hello.torn, seed: hello.seed, end: () => exit(LinExit.flashCut) };
  return new FileFlash(io, probe, syncBelow, cut);
}

function start(hello: Hello): void {
  event('build', { version: VERSION, variant: VARIANT, bank: hello.bank, trial: hello.trial, crypto: cryptoPortsKind });
  trace(
    `althan-ota lin: build 0x${VERSION.toString(16)} (${VARIANT}) started from bank ${hello.bank}${hello.trial ? ' on trial' : ''}\n`,
  );
  if (VARIANT === 'exit-at-start') exit(LinExit.brokenStart);
  reportMeters('boot');
  let flash: FileFlash;
  try {
    flash = openFlash(hello);
  } catch (e) {
    event('fatal', { error: (e as Error).message });
    trace(`althan-ota lin: no flash file: ${(e as Error).message}\n`);
    return;
  }
  const ports: Ports = {
    flash,
    boot: linBootControl(
      hello.bank,
      () => {
        event('restart', { flashOps: flash.ops });
        flash.sync();
      },
      exit,
    ),
    power: mainsPower,
    clock: moddableClock,
    transport: linTransport(link),
    activation: linActivation(link),
    reporter: linReporter(link),
    sha256: platformSha256,
    p256: platformP256,
  };
  if (VARIANT === 'conformance') {
    runConformance(ports, hello.bank);
    return;
  }
  const vendor: SelfTestCheck[] = [];
  if (VARIANT === 'selftest-fail')
    vendor.push({
      name: 'vendor application check',
      run: (finish) => finish(false, 'application check failed (selftest-fail build)'),
    });
  try {
    const agent = new Agent(ports, {
      ...LIN_BUILD,
      trust: loadTrustStore(flash, LIN_BUILD),
      random: Math.random,
      client: { maxDataSize: Number(config.blockSize ?? 64), queryIntervalMs: 60_000, notifyDelayMaxMs: 1000 },
      trial: { trialBoots: 1, trialWindowSeconds: LIN_TRIAL_WINDOW_SECONDS },
      selfTest: { vendor, deadlineMs: LIN_SELF_TEST_MS },
      onPhase: (p, d) => {
        event('phase', { phase: p, detail: d, flashOps: flash.ops });
        reportMeters(p);
      },
    });
    agent.start();
  } catch (e) {
    event('fatal', { error: (e as Error).message });
    trace(`althan-ota lin: agent not started: ${(e as Error).message}\n`);
    return;
  }
  Timer.set(sampleMeters, 100, 100);
  Timer.set(() => reportMeters('idle'), 2000, 2000);
}

/** The `conformance` variant: the port suites against these ports; the supervisor stops the build once it has the counts. */
function runConformance(ports: Ports, bank: 0 | 1): void {
  runLinConformance({
    ...ports,
    bank,
    manufacturerCode: LIN_BUILD.manufacturerCode,
    imageType: LIN_BUILD.imageType,
    fileVersion: VERSION,
  }).then(
    ({ lines, summary }) => {
      for (const line of lines) {
        trace(`althan-ota lin: ${line}\n`);
        event('conformance-line', { line });
      }
      event('conformance', { passed: summary.passed, failed: summary.failed });
    },
    (e: unknown) => event('conformance', { passed: 0, failed: 1, error: String(e) }),
  );
}

let started = false;
link.on(LinMessage.hello, (body) => {
  if (started) return;
  const hello = decodeHello(body);
  if (!hello) {
    trace('althan-ota lin: malformed hello\n');
    exit(2);
    return;
  }
  started = true;
  try {
    start(hello);
  } catch (e) {
    // Nothing may leave a socket callback as a throw: XS would abort the machine.
    event('fatal', { error: String(e) });
    trace(`althan-ota lin: start failed: ${String(e)}\n`);
  }
});

// The link's own socket (lin/link-socket): the SDK's lin TCP looks for received bytes
// every 20 ms, which held the stop-and-wait block transfer to about 45 blocks a second.
let socket: LinkSocket;
try {
  socket = new LinkSocket(PORT, {
    onReceived(bytes: ArrayBuffer) {
      link.received(new Uint8Array(bytes));
    },
    onClosed() {
      link.fail('socket closed');
      trace('althan-ota lin: link to the supervisor lost\n');
      exit(LinExit.restart);
    },
  });
} catch (e) {
  trace(`althan-ota lin: no supervisor on 127.0.0.1:${PORT}: ${String(e)}\n`);
  exit(LinExit.restart);
  throw e;
}
link.attach({
  write: (bytes) => socket.write(bytes),
  close: () => socket.close(),
});
trace(`althan-ota lin: build 0x${VERSION.toString(16)} (${VARIANT}) connecting to 127.0.0.1:${PORT}\n`);
