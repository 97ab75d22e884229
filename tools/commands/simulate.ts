/**
 * `althan-ota simulate`: the emulated Alt HAN device against the emulated Communications
 * Hub through a whole update in virtual time: download, verify, activate, trial boot,
 * confirm or roll back. Without --image it makes a fresh test PKI and signs a fresh image.
 */
import { randomBytesSeeded } from '../simulate/seeded-bytes.js';
import { runUpdateWorld, type WorldEvent, type WorldOptions } from '../../sim/index.js';
import { parseCommandArgs, UsageCode, UsageError, type Command } from '../command.js';
import { readInput } from '../io/read-input.js';
import { writeFilesAllOrNone } from '../io/write-files.js';
import { ToolRefusal } from '../refusals.js';
import { ProgressView } from '../simulate/progress-view.js';
import { renderTimelineSvg } from '../simulate/timeline-svg.js';
import { freshSignedImage, SIMULATED_DEVICE } from '../simulate/fresh-image.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';

export const simulate: Command = {
  name: ['simulate'],
  summary: 'emulated device + emulated CH: a whole update in virtual time (progress, power cuts, --json, --svg)',
  usage:
    'althan-ota simulate [--image FILE --trust STORE] [--size BYTES] [--battery] [--loss P] [--power-cuts N] [--seed S] ' +
    '[--svg FILE] [--json] [--self-test pass|fail|crash] [--activation now|command] [--current-version V] [--hardware-version H] ' +
    '[--credential-command FILE [--credential-at idle|download]]',
  async run(args) {
    const a = parseCommandArgs(args, {
      image: 'string',
      trust: 'string',
      size: 'string',
      battery: 'boolean',
      loss: 'string',
      'power-cuts': 'string',
      seed: 'string',
      svg: 'string',
      json: 'boolean',
      'self-test': 'string',
      activation: 'string',
      'current-version': 'string',
      'hardware-version': 'string',
      'credential-command': 'string',
      'credential-at': 'string',
    });
    const seed = a.int('seed', { max: 0xffffffff, fallback: 1 });
    const loss = a.decimal('loss', { min: 0, max: 1, belowMax: true, fallback: 0 });
    const powerCuts = a.int('power-cuts', { max: 10_000, fallback: 0 });
    const selfTest = a.choice('self-test', ['pass', 'fail', 'crash'] as const, 'pass');
    const activation = a.choice('activation', ['now', 'command'] as const, 'now');
    const json = a.flag('json');
    const imageFile = a.string('image');
    // The fresh image is one version above the running one, so the running one cannot be the last.
    const currentVersion = a.int('current-version', {
      max: imageFile ? 0xffffffff : 0xfffffffe,
      fallback: SIMULATED_DEVICE.currentVersion,
    });
    // Zigbee OTA hardware versions are 16-bit (ZCL 11.4.2.13).
    const hardwareVersion = a.int('hardware-version', { max: 0xffff, fallback: SIMULATED_DEVICE.hardwareVersion });
    const wantSvg = a.string('svg');
    // A replacement command (`trust replace`) the CH relays to the device: before the download, or half way through it.
    const credentialFile = a.string('credential-command');
    const credentialAt = a.choice('credential-at', ['idle', 'download'] as const, 'idle');
    if (a.has('credential-at') && !credentialFile)
      throw new UsageError('--credential-at goes with --credential-command', UsageCode.badValue, '--credential-at');
    const credential = credentialFile
      ? { command: readInput(credentialFile, 'credential command'), at: credentialAt }
      : undefined;

    let image: Uint8Array;
    let trustStore: WorldOptions['trustStore'];
    if (imageFile) {
      const trustFile = a.string('trust');
      if (!trustFile)
        throw new UsageError(
          '--image needs --trust STORE (the device trust store the image was signed for)',
          UsageCode.required,
          '--trust',
        );
      if (a.has('size'))
        throw new UsageError(
          '--size applies only to the fresh image made without --image',
          UsageCode.badValue,
          '--size',
        );
      image = readInput(imageFile, 'OTA file');
      trustStore = loadTrustStoreFile(trustFile);
    } else {
      if (a.has('trust'))
        throw new UsageError(
          '--trust goes with --image (without it the run makes its own PKI)',
          UsageCode.badValue,
          '--trust',
        );
      const size = a.int('size', { min: 1, max: 16 * 1024 * 1024, fallback: 64 * 1024 });
      const fresh = freshSignedImage(randomBytesSeeded(size, seed), currentVersion + 1);
      image = fresh.file;
      trustStore = fresh.trustStore;
    }

    // With --json the last line of stdout is the JSON object; the live view goes to stderr.
    const out = json ? process.stderr : process.stdout;
    const view = new ProgressView({ write: (t) => out.write(t), isTTY: Boolean(out.isTTY) });
    const events: WorldEvent[] = [];
    const options: WorldOptions = {
      image,
      trustStore,
      currentVersion,
      hardwareVersion,
      battery: a.flag('battery'),
      loss,
      powerCuts,
      seed,
      selfTest,
      activation,
      ...(credential ? { credential } : {}),
    };
    out.write(
      `althan-ota: emulated ${options.battery ? 'battery' : 'mains'} Alt HAN device, version ${hex(currentVersion)} running; ` +
        `the CH offers a ${image.length}-byte signed image; loss ${(loss * 100).toFixed(0)}%, ${powerCuts} power cuts, seed ${seed}\n`,
    );
    const result = runUpdateWorld(options, (e) => {
      view.onEvent(e);
      if (wantSvg) events.push(e);
    });
    view.finish();
    out.write(
      `outcome: ${result.outcome}; running version ${hex(result.runningVersion)}; ${result.blockRequests} block requests, ${result.retries} retries, ` +
        `${result.powerCuts} power cuts, ${result.flashErases} erases, ${result.flashWrites} flash writes, ${result.journalWrites} journal records, ` +
        `${formatDuration(result.virtualSeconds)} of device time${result.bricked ? '; BRICKED' : ''}\n`,
    );
    if (credential)
      out.write(
        `credential replacement: ${result.credentialAnswer === undefined ? 'never delivered' : `CS02b answer ${result.credentialAnswer}`}\n`,
      );
    if (wantSvg) {
      writeFilesAllOrNone([{ path: wantSvg, content: renderTimelineSvg(events, result) }]);
      out.write(`timeline written to ${wantSvg}\n`);
    }
    // A run that ends safely (confirmed, rolled back, or the image refused) is done; one
    // that leaves the device without its update or bricked exits 1 with its code.
    const code = result.bricked
      ? ToolRefusal.bricked
      : result.outcome === 'failed'
        ? ToolRefusal.updateFailed
        : undefined;
    if (json) process.stdout.write(`${JSON.stringify(code ? { ...result, code } : result)}\n`);
    else if (code)
      console.error(
        `refused: ${code}: the emulated update ${result.bricked ? 'bricked the device' : 'did not complete'}`,
      );
    return code ? 1 : 0;
  },
};

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

function formatDuration(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
}
