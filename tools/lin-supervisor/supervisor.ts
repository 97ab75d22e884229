/**
 * The lin device's bootloader and supervisor. Before every launch it opens the flash file
 * and runs the reference bootloader (sim/world-parts.ts, docs/BOOT.md)
 * over it; it copies the bytes of the bank the bootloader chose into a file and starts the
 * device on them (a Launcher, launcher.ts: the Moddable simulator for the lin build, QEMU
 * for the MCU image), so the build that runs is the one in the bank. On the one
 * TCP link it says hello (bank, trial, flash-fault to inject), plays the Communications
 * Hub with the project's emulated CH (sim/world-parts.ts), sends the CS06
 * activation command when the device holds the image, and records reports and events.
 * After each exit it runs the bootloader again and relaunches, until the update is
 * confirmed, rolled back, or the bootloader halts (bricked).
 *
 * It plays the trial watchdog too: a trial boot that has not confirmed within the trial
 * window is killed. Power cuts: SIGKILL at a chosen moment of the run, or a flash-op cut
 * that the build's own flash port executes (hello).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIN_TRIAL_WINDOW_SECONDS } from '../../device/platform/lin/lin-build.js';
import { LinMessage, MessageReader, encodeHello, frame, fromAscii } from '../../device/platform/lin/link-protocol.js';
import type { Report } from '../../device/ports.js';
import { readBootRecord, type BootRecord } from '../../device/storage/index.js';
import { UPGRADE_TIME_WAIT_FOR_COMMAND } from '../../device/zigbee/index.js';
import { bootloader, emulatedCh, servedImage, Rng, manufacturerImageHash } from '../../sim/index.js';
import { openFlashFile } from './flash-file.js';
import { mcsimLauncher, type Launcher } from './launcher.js';

export interface SupervisorOptions {
  /** The build's files root (manifest config `files`): the flash file and the bank copies live here. */
  runDir: string;
  flashName: string;
  port: number;
  /** How the device is started on the chosen bank's bytes (default: mcsim on `mcsim`, `display`). */
  launcher?: Launcher;
  mcsim?: string;
  /** X display for mcsim (an Xvfb the caller started). */
  display?: string;
  /** The signed OTA file the CH serves. */
  image: Uint8Array;
  fromVersion: number;
  /** CH block size (the build's maxDataSize is the other bound). */
  blockSize: number;
  /** SIGKILL the running process this many ms after the run started (once). */
  killAtMs?: number;
  /** A flash-op cut executed by the build's flash port in launch `launch` (from 1). */
  cut?: { launch: number; at: number; torn: boolean; seed: number };
  /** How long the last process keeps running once the outcome is known (default 0). */
  lingerMs?: number;
  /** The whole run's bound. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface Launch {
  bank: 0 | 1;
  trial: boolean;
  row: number;
  /** Version the build said it is (undefined: it never said). */
  buildVersion?: number;
  variant?: string;
  /** The build's crypto ports ('native' or 'portable'), as it said. */
  crypto?: string;
  exit: string;
  flashOps: number;
  ms: number;
}

export interface MeterSample {
  launch: number;
  at: string;
  slots: number;
  peakSlots: number;
  chunks: number;
  peakChunks: number;
  /** Largest stack use seen by 100-ms sampling since the process started (bytes). */
  peakStack: number;
  /** Highest garbage collections per second seen (the simulator counts per second). */
  gc: number;
  slotBytes: number;
}

export interface RunResult {
  /** `passed`: a conformance build ran its suites and every check passed. */
  outcome: 'confirmed' | 'rolled-back' | 'bricked' | 'failed' | 'passed';
  detail: string;
  launches: Launch[];
  reports: Report[];
  phases: string[];
  meters: MeterSample[];
  record: BootRecord | undefined;
  killed: boolean;
  cutFired: boolean;
  ms: number;
  blockRequests: number;
  /** What a conformance build printed (its suites' lines and the counts). */
  conformance?: { lines: string[]; passed: number; failed: number };
  /** Every event the builds sent, with the launch it came from (the MCU image's measurements among them). */
  events: Array<{ launch: number } & Record<string, unknown>>;
}

const ACTIVATION_RETRY_MS = 3000;

export async function superviseUpdate(o: SupervisorOptions): Promise<RunResult> {
  const log = o.log ?? (() => {});
  const toVersion = servedImage(o.image).fileVersion;
  const hash = manufacturerImageHash(o.image);
  const flashPath = join(o.runDir, o.flashName);
  const t0 = Date.now();
  const result: RunResult = {
    outcome: 'failed',
    detail: '',
    launches: [],
    reports: [],
    phases: [],
    meters: [],
    record: undefined,
    killed: false,
    cutFired: false,
    ms: 0,
    blockRequests: 0,
    events: [],
  };
  const launcher = o.launcher ?? mcsimLauncher(o.mcsim ?? 'mcsim', o.display ?? ':0');

  // The CH and its link end: frames go to whichever connection is current.
  let current: Socket | undefined;
  let chHandler: ((f: Uint8Array) => void) | undefined;
  const ch = emulatedCh(
    {
      send: (f) => current?.write(frame(LinMessage.zclDown, f)),
      onReceive: (h) => {
        chHandler = h;
      },
    },
    new Rng(1),
    { blockSize: o.blockSize, upgradeTime: UPGRADE_TIME_WAIT_FOR_COMMAND, currentTime: 0 },
    [o.image],
  );

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });

  let done: RunResult['outcome'] | undefined;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  let child: ChildProcess | undefined;
  if (o.killAtMs !== undefined) {
    killTimer = setTimeout(() => {
      if (child && child.exitCode === null && !done) {
        result.killed = true;
        log(`SIGKILL at ${Date.now() - t0} ms`);
        child.kill('SIGKILL');
      }
    }, o.killAtMs);
  }

  try {
    for (let n = 1; !done; n++) {
      if (Date.now() - t0 > o.timeoutMs) {
        result.detail = `no outcome within ${o.timeoutMs} ms`;
        break;
      }
      // The bootloader, from its own reading of the flash file.
      const f = openFlashFile(flashPath);
      let boot;
      let payload: Uint8Array;
      try {
        boot = bootloader(f.flash, f.layout).boot();
        if (boot.kind === 'halt') {
          done = 'bricked';
          result.detail = `bootloader halted (row ${boot.row}): ${boot.reason}`;
          break;
        }
        const rec = readBootRecord(f.flash, f.layout);
        const slot = boot.trial ? rec.trial! : rec.confirmed;
        payload = new Uint8Array(slot.length);
        f.flash.read(f.layout.banks[boot.bank].offset, payload);
      } finally {
        f.file.close();
      }
      const launch: Launch = { bank: boot.bank, trial: boot.trial, row: boot.row, exit: '', flashOps: 0, ms: 0 };
      result.launches.push(launch);
      log(
        `launch ${n}: bootloader row ${boot.row} starts bank ${boot.bank}${boot.trial ? ' (trial)' : ''}, ${payload.length} bytes`,
      );
      const started = Date.now();

      const connected = new Promise<Socket>((resolve) => server.once('connection', resolve));
      const cut = o.cut && o.cut.launch === n ? o.cut : undefined;
      child = launcher.start({ n, bank: boot.bank, payload, runDir: o.runDir, cut });
      const logFile = join(o.runDir, `launch-${n}.log`);
      writeFileSync(logFile, '');
      child.stdout!.on('data', (d: Buffer) => {
        appendFileSync(logFile, d);
        // The simulator stays up after an XS abort; a device resets: so does the supervisor.
        if (d.includes('XS abort')) {
          log('  XS abort: reset');
          child?.kill('SIGKILL');
        }
      });
      child.stderr!.on('data', (d) => appendFileSync(logFile, d));
      const exited = new Promise<string>((resolve) =>
        child!.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)),
      );

      const socketOrExit = await Promise.race([connected, exited.then(() => undefined)]);
      let watchdog: NodeJS.Timeout | undefined;
      let activationTimer: NodeJS.Timeout | undefined;
      if (socketOrExit) {
        const socket = socketOrExit;
        current = socket;
        socket.setNoDelay(true);
        socket.write(
          frame(
            LinMessage.hello,
            encodeHello({
              bank: boot.bank,
              trial: boot.trial,
              cutAt: cut?.at,
              torn: cut?.torn ?? false,
              seed: cut?.seed ?? 0,
              flashFile: o.flashName,
            }),
          ),
        );
        let confirmed = false;
        if (boot.trial) {
          watchdog = setTimeout(() => {
            if (!confirmed) {
              log(`trial watchdog: no confirmation within ${LIN_TRIAL_WINDOW_SECONDS} s`);
              child?.kill('SIGKILL');
            }
          }, LIN_TRIAL_WINDOW_SECONDS * 1000);
        }
        const sendActivation = () => {
          activationTimer = undefined;
          try {
            socket.write(frame(LinMessage.activate, hash));
          } catch {
            // the process is gone; the next launch asks again
          }
        };
        const reader = new MessageReader(
          (type, body) => {
            switch (type) {
              case LinMessage.zclUp:
                chHandler?.(body);
                break;
              case LinMessage.report: {
                const r = JSON.parse(fromAscii(body)) as Report;
                result.reports.push(r);
                log(`  report ${JSON.stringify(r)}`);
                if (r.kind === 'upgrade-status' && r.status === 3 && !activationTimer)
                  activationTimer = setTimeout(sendActivation, 200);
                break;
              }
              case LinMessage.activateResponse:
                log(`  CS06 response ${body[0]}`);
                if (body[0] !== 0 && !activationTimer)
                  activationTimer = setTimeout(sendActivation, ACTIVATION_RETRY_MS);
                break;
              case LinMessage.event: {
                const e = JSON.parse(fromAscii(body)) as Record<string, unknown>;
                result.events.push({ launch: n, ...e });
                if (e.kind === 'build') {
                  launch.buildVersion = Number(e.version);
                  launch.variant = String(e.variant);
                  launch.crypto = String(e.crypto);
                  log(
                    `  build 0x${launch.buildVersion.toString(16)} (${launch.variant}, ${launch.crypto} crypto) running from bank ${String(e.bank)}`,
                  );
                } else if (e.kind === 'phase') {
                  result.phases.push(String(e.phase));
                  launch.flashOps = Number(e.flashOps);
                  log(`  phase ${String(e.phase)}${e.detail ? ` (${String(e.detail)})` : ''}`);
                  if (e.phase === 'confirmed') confirmed = true;
                } else if (e.kind === 'meters') {
                  if (e.at === 'idle')
                    result.meters = result.meters.filter((x) => !(x.launch === n && x.at === 'idle'));
                  result.meters.push({
                    launch: n,
                    at: String(e.at),
                    slots: Number(e.slots),
                    peakSlots: Number(e.peakSlots),
                    chunks: Number(e.chunks),
                    peakChunks: Number(e.peakChunks),
                    peakStack: Number(e.peakStack),
                    gc: Number(e.gc),
                    slotBytes: Number(e.slotBytes),
                  });
                } else if (e.kind === 'restart') {
                  launch.flashOps = Number(e.flashOps);
                } else if (e.kind === 'conformance-line') {
                  result.conformance ??= { lines: [], passed: 0, failed: 0 };
                  result.conformance.lines.push(String(e.line));
                } else if (e.kind === 'conformance') {
                  result.conformance ??= { lines: [], passed: 0, failed: 0 };
                  const c = result.conformance;
                  c.passed = Number(e.passed);
                  c.failed = Number(e.failed);
                  done = c.failed === 0 && c.passed > 0 ? 'passed' : 'failed';
                  if (done === 'failed') result.detail = `${c.failed} conformance checks failed`;
                } else if (e.kind === 'fatal') {
                  // The build could not start its agent: it would sit idle for ever.
                  log(`  fatal: ${String(e.error)}`);
                  result.detail = `the build could not start the agent: ${String(e.error)}`;
                  done = 'failed';
                }
                break;
              }
            }
            done ??= settled(result, toVersion);
            if (done && !stopping) {
              // Kept running for `lingerMs` after the outcome, so that its idle meters are sampled.
              stopping = true;
              const last = child;
              setTimeout(() => last?.kill('SIGKILL'), o.lingerMs ?? 0);
            }
          },
          (why) => log(`  link broken: ${why}`),
        );
        socket.on('data', (d: Buffer) => reader.push(new Uint8Array(d.buffer, d.byteOffset, d.length)));
        socket.on('error', () => {});
      }
      launch.exit = await exited;
      if (watchdog) clearTimeout(watchdog);
      if (activationTimer) clearTimeout(activationTimer);
      current?.destroy();
      current = undefined;
      launch.ms = Date.now() - started;
      if (launch.exit === `code ${launcher.cutExitCode}`) result.cutFired = true;
      log(`  exit: ${launch.exit} after ${launch.ms} ms, ${launch.flashOps} flash ops`);
    }
  } finally {
    if (killTimer) clearTimeout(killTimer);
    if (child && child.exitCode === null) child.kill('SIGKILL');
    server.close();
  }
  // The verdict is the chip's, read after the last process ended.
  const f = openFlashFile(flashPath);
  try {
    result.record = readBootRecord(f.flash, f.layout);
  } catch {
    result.record = undefined;
  } finally {
    f.file.close();
  }
  result.blockRequests = ch.stats.blockRequests;
  result.ms = Date.now() - t0;
  if (done === 'confirmed' && result.record?.confirmed.version !== toVersion) {
    result.outcome = 'failed';
    result.detail = 'the device said confirmed but the boot record does not';
  } else if (done) {
    result.outcome = done;
    result.detail ||= `${result.launches.length} launches`;
  }
  return result;
}

/** An outcome once the reports say it (the chip is checked after the process ends). */
function settled(r: RunResult, toVersion: number): RunResult['outcome'] | undefined {
  const last = r.launches[r.launches.length - 1];
  if (
    r.phases.includes('confirmed') &&
    last?.buildVersion === toVersion &&
    r.reports.some((x) => x.kind === 'activation' && x.success && x.version === toVersion)
  )
    return 'confirmed';
  if (
    r.reports.some((x) => x.kind === 'activation' && !x.success) &&
    last &&
    !last.trial &&
    r.phases.includes('rolled-back')
  )
    return 'rolled-back';
  return undefined;
}
