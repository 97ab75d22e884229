/**
 * `althan-ota simulate`: the emulated Alt HAN device against the emulated Communications
 * Hub through a whole update in virtual time: download, verify, activate, trial boot,
 * confirm or roll back. Without --image it makes a fresh test PKI and signs a fresh image.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytesSeeded } from '../simulate/seeded-bytes.js';
import { runUpdateWorld, type WorldEvent, type WorldOptions } from '../../host-tests/harness/update-world.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { ProgressView } from '../simulate/progress-view.js';
import { renderTimelineSvg } from '../simulate/timeline-svg.js';
import { freshSignedImage, SIMULATED_DEVICE } from '../simulate/fresh-image.js';
import { loadTrustStoreFile } from '../pki/trust-store-file.js';
import { numberFlag } from '../image/number-flag.js';

export const simulate: Command = {
  name: ['simulate'],
  summary: 'emulated device + emulated CH: a whole update in virtual time (progress, power cuts, --json, --svg)',
  usage:
    'althan-ota simulate [--image FILE --trust STORE] [--size BYTES] [--battery] [--loss P] [--power-cuts N] [--seed S] ' +
    '[--svg FILE] [--json] [--self-test pass|fail|crash] [--activation now|command] [--current-version V] [--hardware-version H]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['battery', 'json']);
    if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
    const one = (name: string) => flags.get(name)?.[0];
    const num = (name: string, fallback: number, max = 0xffffffff) => numberFlag(flags, name, max, fallback);
    const seed = num('seed', 1);
    const loss = Number(one('loss') ?? 0);
    if (!(loss >= 0 && loss < 1)) throw new UsageError('--loss takes a probability in [0, 1)');
    const powerCuts = num('power-cuts', 0, 10_000);
    const selfTest = (one('self-test') ?? 'pass') as WorldOptions['selfTest'];
    if (!['pass', 'fail', 'crash'].includes(selfTest!)) throw new UsageError('--self-test takes pass, fail or crash');
    const activation = (one('activation') ?? 'now') as WorldOptions['activation'];
    if (!['now', 'command'].includes(activation!)) throw new UsageError('--activation takes now or command');
    const json = flags.has('json');
    const currentVersion = num('current-version', SIMULATED_DEVICE.currentVersion);
    const hardwareVersion = num('hardware-version', SIMULATED_DEVICE.hardwareVersion);

    let image: Uint8Array;
    let trustStore: WorldOptions['trustStore'];
    const imageFile = one('image');
    if (imageFile) {
      const trustFile = one('trust');
      if (!trustFile) throw new UsageError('--image needs --trust STORE (the device trust store the image was signed for)');
      image = new Uint8Array(readFileSync(imageFile));
      trustStore = loadTrustStoreFile(trustFile);
    } else {
      const size = num('size', 64 * 1024, 16 * 1024 * 1024);
      const fresh = freshSignedImage(randomBytesSeeded(size, seed), currentVersion + 1);
      image = fresh.file;
      trustStore = fresh.trustStore;
    }

    // With --json the last line of stdout is the JSON object; the live view goes to stderr.
    const out = json ? process.stderr : process.stdout;
    const view = new ProgressView({ write: (t) => out.write(t), isTTY: Boolean(out.isTTY) });
    const events: WorldEvent[] = [];
    const wantSvg = one('svg');
    const options: WorldOptions = {
      image, trustStore, currentVersion, hardwareVersion,
      battery: flags.has('battery'), loss, powerCuts, seed, selfTest, activation,
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
    if (wantSvg) {
      writeFileSync(wantSvg, renderTimelineSvg(events, result));
      out.write(`timeline written to ${wantSvg}\n`);
    }
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.bricked || result.outcome === 'failed' ? 1 : 0;
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

