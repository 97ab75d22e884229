/**
 * MCU entry "platform/mcu/main-mcu-agent": the whole agent alone in the MCU image, with a
 * device's boundaries. Flash is the semihosted host file (mcu/host-flash: NOR rules, kept
 * across relaunches); the OTA transport, Activation and Reporter are the lin build's ports
 * (device/platform/lin/) over the lin link protocol, carried unchanged by UART 1
 * (mcu/link-uart) to the same supervisor as the lin build (tools/lin-supervisor: the
 * bootloader reading docs/BOOT.md's record, the emulated CH, the CS06 commands); restart is
 * a semihosting exit, after which the supervisor runs its bootloader and relaunches QEMU on
 * the bytes of the bank it chose. The build's identity (version, variant) is linked in
 * (mcu/build-id), so the supervisor checks that what runs is what the bank held.
 *
 * Same flow as the lin entry (main-lin.ts): wait for the hello (bank, flash file), open the
 * flash, start the agent. The flash region has the lin build's layout (LIN_BUILD), so the
 * supervisor's bootloader and provisioning serve both builds unchanged. A flash-op cut is
 * executed by the C flash layer (`cut=N [torn]` on the command line, c/host-flash.c), not
 * by this entry. Besides the lin events (build, phase, restart) it sends `mcu` marks:
 * exact instruction counts, GCs and RAM at the moments of the phase table (agent-marks.ts).
 */
import { variant as buildVariant, version as buildVersion } from 'mcu/build-id';
import * as hostFile from 'mcu/host-flash';
import * as uart from 'mcu/link-uart';
import { bootInstructions, exit, instructions } from 'mcu/native';
import Timer from 'timer';
import { Agent, loadTrustStore, type SelfTestCheck } from '../../agent/index.js';
import type { Ports } from '../../ports.js';
import { linActivation } from '../lin/activation.js';
import { linBootControl } from '../lin/boot-control.js';
import { LIN_BUILD, LIN_SELF_TEST_MS, LIN_TRIAL_WINDOW_SECONDS } from '../lin/lin-build.js';
import { LinLink } from '../lin/link.js';
import { LinExit, LinMessage, ascii, decodeHello, type Hello } from '../lin/link-protocol.js';
import { linReporter } from '../lin/reporter.js';
import { linTransport } from '../lin/transport.js';
import { mainsPower } from '../moddable/power-mains.js';
import { moddableClock } from '../moddable/clock.js';
import { nativeSha256 } from '../moddable/sha256-native.js';
import { AgentMarks } from './agent-marks.js';
import { HostFileFlash } from './host-flash.js';
import { nativeP256 } from '../moddable/p256-native.js';

const entered = instructions();
const VERSION = buildVersion();
const VARIANT = buildVariant();
/** The largest block the OTA client asks for (the lin build's default on its supervisor). */
const BLOCK_SIZE = 255;

const link = new LinLink();

function event(kind: string, fields: Record<string, unknown>): void {
  try {
    link.send(LinMessage.event, ascii(JSON.stringify({ kind, ...fields })));
  } catch {
    // events are for the supervisor's log; the agent never depends on them
  }
}

const marks = new AgentMarks((mark, fields) => event('mcu', { mark, ...fields }));

function start(hello: Hello): void {
  event('build', { version: VERSION, variant: VARIANT, bank: hello.bank, trial: hello.trial, crypto: 'native' });
  marks.mark('entry', { boot: bootInstructions(), entered });
  trace(
    `althan-ota mcu: build 0x${VERSION.toString(16)} (${VARIANT}) started from bank ${hello.bank}${hello.trial ? ' on trial' : ''}\n`,
  );
  if (VARIANT === 'exit-at-start') exit(LinExit.brokenStart);
  let flash: HostFileFlash;
  try {
    const probe = hostFile.open(hello.flashFile, false);
    const size = hostFile.length(probe);
    hostFile.close(probe);
    flash = new HostFileFlash(hello.flashFile, size);
  } catch (e) {
    event('fatal', { error: (e as Error).message });
    trace(`althan-ota mcu: no flash file: ${(e as Error).message}\n`);
    return;
  }
  const ports: Ports = {
    flash: marks.flash(flash),
    boot: linBootControl(
      hello.bank,
      () => {
        event('restart', { flashOps: hostFile.operations() });
        marks.mark('restart');
      },
      exit,
    ),
    power: mainsPower,
    clock: moddableClock,
    transport: marks.transport(linTransport(link)),
    activation: marks.activation(linActivation(link)),
    reporter: linReporter(link),
    sha256: nativeSha256,
    p256: marks.p256(nativeP256),
  };
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
      client: { maxDataSize: BLOCK_SIZE, queryIntervalMs: 60_000, notifyDelayMaxMs: 1000 },
      trial: { trialBoots: 1, trialWindowSeconds: LIN_TRIAL_WINDOW_SECONDS },
      selfTest: { vendor, deadlineMs: LIN_SELF_TEST_MS },
      onPhase: (p, d) => {
        if (p === 'download') marks.downloadStarted();
        event('phase', { phase: p, detail: d, flashOps: hostFile.operations() });
        marks.mark(`phase:${p}`);
      },
    });
    marks.mark('agent-start');
    agent.start();
    marks.mark('agent-started');
  } catch (e) {
    event('fatal', { error: (e as Error).message });
    trace(`althan-ota mcu: agent not started: ${(e as Error).message}\n`);
    return;
  }
  // RAM while nothing happens: 1 s after start, then every 2 s of the core's time.
  Timer.set(() => marks.mark('idle'), 1000, 2000);
}

let started = false;
link.on(LinMessage.hello, (body) => {
  if (started) return;
  const hello = decodeHello(body);
  if (!hello) {
    trace('althan-ota mcu: malformed hello\n');
    exit(2);
    return;
  }
  started = true;
  try {
    start(hello);
  } catch (e) {
    // Nothing may leave the link's callback as a throw.
    event('fatal', { error: String(e) });
    trace(`althan-ota mcu: start failed: ${String(e)}\n`);
  }
});

uart.open((message) => link.received(new Uint8Array(message)));
link.attach({ write: (bytes) => uart.write(bytes), close: () => uart.close() });
trace(`althan-ota mcu: build 0x${VERSION.toString(16)} (${VARIANT}) waiting for the supervisor on UART 1\n`);
