/** The pure OTA client state machine, event by event, with no timers and no radio. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OTA_CLIENT_TABLE, otaClientTableMarkdown, TIMER_MEANING } from '../../device/agent/ota-client-table.js';
import { OtaClient } from '../../device/agent/ota-client.js';
import { DEFAULT_CLIENT_TIMING } from '../../device/agent/ota-client-config.js';
import type { ClientAction, ClientReading, ClientEvent } from '../../device/agent/ota-client-io.js';
import {
  DEFAULT_POWER_POLICY,
  exchangeAirtimeMs,
  requestIntervalMs,
  validatePowerPolicy,
  type PowerReading,
} from '../../device/agent/power-policy.js';
import { isOtaError } from '../../device/errors.js';
import { decodeOtaFrame, encodeOtaFrame, type OtaCommand } from '../../device/zigbee/ota-frames.js';
import { Rng } from '../../sim/rng.js';

const ID = { manufacturerCode: 0x1234, imageType: 1, fileVersion: 0x101 };
const SIZE = 1000;
const MAINS: PowerReading = { source: 'mains', level: 100, lowWarning: false };
const battery = (level: number, lowWarning = false): PowerReading => ({ source: 'battery', level, lowWarning });

class Bench {
  readonly client = new OtaClient(
    {
      manufacturerCode: 0x1234,
      imageType: 1,
      currentFileVersion: 0x100,
      hardwareVersion: 0x11,
      capacity: 100_000,
      ...DEFAULT_CLIENT_TIMING,
    },
    DEFAULT_POWER_POLICY,
    7,
  );
  now = 0;
  power: PowerReading = MAINS;
  random = 0.5;

  on(event: ClientEvent, over: Partial<ClientReading> = {}): ClientAction[] {
    return this.client.handle(event, { nowMs: this.now, power: this.power, random: this.random, ...over });
  }
  frame(command: OtaCommand, seq = 1): ClientAction[] {
    return this.on({ kind: 'frame', bytes: encodeOtaFrame({ sequence: seq, command }) });
  }
  /** Brings the client to downloading at `offset` (first block request sent). */
  downloading(offset = 0): ClientAction[] {
    this.on({ kind: 'boot' });
    this.on({ kind: 'timer' });
    const a = this.frame({ name: 'queryNextImageResponse', status: 0, image: { ...ID, imageSize: SIZE } });
    expect(a).toContainEqual({ kind: 'sink-begin', image: { ...ID, imageSize: SIZE } });
    return this.on({ kind: 'sink-begun', resumeOffset: offset });
  }
  block(offset: number, length: number, over: Partial<typeof ID> = {}): ClientAction[] {
    return this.frame({
      name: 'imageBlockResponse',
      status: 0,
      ...ID,
      ...over,
      fileOffset: offset,
      data: new Uint8Array(length).fill(offset & 0xff),
    });
  }
}

const sent = (actions: ClientAction[]) =>
  actions.filter((a) => a.kind === 'send').map((a) => decodeOtaFrame((a as { frame: Uint8Array }).frame).command);
const timers = (actions: ClientAction[]) =>
  actions.filter((a) => a.kind === 'timer').map((a) => (a as { ms: number }).ms);
const kinds = (actions: ClientAction[]) => actions.map((a) => a.kind);

describe('query and offer', () => {
  it('boots with a jittered first query, then queries with its hardware version', () => {
    const b = new Bench();
    b.random = 0.25;
    expect(timers(b.on({ kind: 'boot' }))).toEqual([2_500]);
    expect(sent(b.on({ kind: 'timer' }))).toEqual([
      { name: 'queryNextImageRequest', ...ID, fileVersion: 0x100, hardwareVersion: 0x11 },
    ]);
  });

  it('Image Notify: answered with probability jitter/100, for this device only, not for the running version', () => {
    const b = new Bench();
    b.on({ kind: 'boot' });
    b.random = 0.5; // draws 51
    expect(timers(b.frame({ name: 'imageNotify', payloadType: 0, queryJitter: 50 }))).toEqual([]);
    expect(timers(b.frame({ name: 'imageNotify', payloadType: 0, queryJitter: 51 }))).toHaveLength(1);
    expect(
      timers(b.frame({ name: 'imageNotify', payloadType: 1, queryJitter: 100, manufacturerCode: 0x9999 })),
    ).toEqual([]);
    expect(
      timers(
        b.frame({
          name: 'imageNotify',
          payloadType: 3,
          queryJitter: 100,
          manufacturerCode: 0x1234,
          imageType: 1,
          fileVersion: 0x100,
        }),
      ),
    ).toEqual([]);
    expect(
      timers(
        b.frame({
          name: 'imageNotify',
          payloadType: 3,
          queryJitter: 100,
          manufacturerCode: 0xffff,
          imageType: 0xffff,
          fileVersion: 0x101,
        }),
      ),
    ).toHaveLength(1);
  });

  it('a query without answer is retried with backoff, then dropped until the next period', () => {
    const b = new Bench();
    b.on({ kind: 'boot' });
    b.on({ kind: 'timer' });
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) waits.push(timers(b.on({ kind: 'timer' }))[0]);
    expect(waits.slice(0, 4)).toEqual([6_000, 7_000, 9_000, 13_000]);
    const last = b.on({ kind: 'timer' });
    expect(last.find((a) => a.kind === 'refused')).toMatchObject({ error: { code: 'OTA_QUERY_NO_ANSWER' } });
    expect(timers(last)).toEqual([DEFAULT_CLIENT_TIMING.queryIntervalMs]);
    expect(b.client.state).toBe('idle');
  });
});

describe('block exchange', () => {
  it('asks offset and maximum data size, takes a block no longer than asked, asks the next offset', () => {
    const b = new Bench();
    expect(sent(b.downloading())).toEqual([{ name: 'imageBlockRequest', ...ID, fileOffset: 0, maximumDataSize: 64 }]);
    expect(b.client.attributes).toMatchObject({ imageUpgradeStatus: 1, downloadedFileVersion: 0x101, fileOffset: 0 });
    const w = b.block(0, 50);
    expect(w).toContainEqual({ kind: 'sink-write', offset: 0, data: new Uint8Array(50).fill(0) });
    expect(sent(b.on({ kind: 'sink-written', result: { kind: 'ok' } }))).toEqual([
      { name: 'imageBlockRequest', ...ID, fileOffset: 50, maximumDataSize: 64 },
    ]);
    expect(b.client.attributes.fileOffset).toBe(50);
  });

  it('asks only what remains near the end', () => {
    const b = new Bench();
    expect(sent(b.downloading(960))).toEqual([
      { name: 'imageBlockRequest', ...ID, fileOffset: 960, maximumDataSize: 40 },
    ]);
  });

  it('a timeout is retried at the same offset after a doubling backoff', () => {
    const b = new Bench();
    b.downloading(100);
    const first = b.on({ kind: 'timer' }); // response timeout
    expect(first.find((a) => a.kind === 'refused')).toMatchObject({ error: { code: 'OTA_BLOCK_TIMEOUT' } });
    expect(sent(first)).toEqual([]);
    expect(timers(first)).toEqual([1_000]);
    b.now += 1_000;
    expect(sent(b.on({ kind: 'timer' }))).toEqual([
      { name: 'imageBlockRequest', ...ID, fileOffset: 100, maximumDataSize: 64 },
    ]);
    b.now += 5_000;
    expect(timers(b.on({ kind: 'timer' }))).toEqual([2_000]);
  });

  it('a late answer for the current offset is taken even after its timeout; stale duplicates are ignored', () => {
    const b = new Bench();
    b.downloading(0);
    b.on({ kind: 'timer' });
    expect(kinds(b.block(0, 50))).toContain('sink-write');
    b.on({ kind: 'sink-written', result: { kind: 'ok' } });
    expect(b.block(0, 50)).toEqual([]);
  });

  it('refuses wrong image, wrong offset, too long, past the end, and empty blocks; each counted and retried', () => {
    for (const [answer, code] of [
      [(b: Bench) => b.block(0, 50, { fileVersion: 0x102 }), 'OTA_BLOCK_WRONG_IMAGE'],
      [(b: Bench) => b.block(64, 50), 'OTA_BLOCK_WRONG_OFFSET'],
      [(b: Bench) => b.block(0, 65), 'OTA_BLOCK_TOO_LONG'],
      [(b: Bench) => b.block(0, 0), 'OTA_BLOCK_EMPTY'],
    ] as const) {
      const b = new Bench();
      b.downloading(0);
      const a = answer(b);
      expect(
        a.find((x) => x.kind === 'refused'),
        code,
      ).toMatchObject({ error: { code } });
      expect(kinds(a)).not.toContain('sink-write');
      expect(timers(a)).toEqual([1_000]);
    }
    const b = new Bench();
    b.downloading(990);
    expect(b.block(990, 20).find((x) => x.kind === 'refused')).toMatchObject({ error: { code: 'OTA_BLOCK_PAST_END' } });
  });

  it('WAIT_FOR_DATA: waits the delta, adopts MinimumBlockPeriod and paces later requests by it', () => {
    const b = new Bench();
    b.downloading(0);
    const a = b.frame({
      name: 'imageBlockResponse',
      status: 0x97,
      currentTime: 1000,
      requestTime: 1003,
      minimumBlockPeriod: 400,
    });
    expect(timers(a)).toEqual([3_000]);
    expect(b.client.attributes.minimumBlockPeriod).toBe(400);
    b.now = 3_000;
    expect(sent(b.on({ kind: 'timer' }))).toHaveLength(1);
    b.now = 3_050;
    b.block(0, 50);
    const next = b.on({ kind: 'sink-written', result: { kind: 'ok' } });
    expect(sent(next)).toEqual([]);
    expect(timers(next)).toEqual([350]);
  });

  it('the server ABORT stops the download without an Upgrade End and persists progress', () => {
    const b = new Bench();
    b.downloading(500);
    const a = b.frame({ name: 'imageBlockResponse', status: 0x95 });
    expect(sent(a)).toEqual([]);
    expect(kinds(a)).toContain('sink-persist');
    expect(a.find((x) => x.kind === 'finished')).toMatchObject({
      outcome: { kind: 'aborted', error: { code: 'OTA_SERVER_ABORT' }, upgradeEndStatus: undefined },
    });
    expect(b.client.attributes.imageUpgradeStatus).toBe(0);
  });

  it('gives up after maxErrors and tells the server ABORT', () => {
    const b = new Bench();
    b.downloading(0);
    let last: ClientAction[] = [];
    for (let i = 0; i < 10; i++) {
      last = b.on({ kind: 'timer' }); // the response timeout
      b.now += 100_000;
      if (i < 9)
        expect(sent(b.on({ kind: 'timer' }))).toEqual([
          { name: 'imageBlockRequest', ...ID, fileOffset: 0, maximumDataSize: 64 },
        ]);
    }
    expect(sent(last)).toEqual([{ name: 'upgradeEndRequest', status: 0x95, ...ID }]);
    expect(last.find((x) => x.kind === 'finished')).toMatchObject({
      outcome: { kind: 'aborted', error: { code: 'OTA_TOO_MANY_ERRORS' }, upgradeEndStatus: 0x95 },
    });
  });
});

describe('sink answers', () => {
  it('need-approval waits for the erase level, then approves and offers the same bytes again', () => {
    const b = new Bench();
    b.power = battery(70);
    b.downloading(0);
    b.block(0, 50);
    b.power = battery(20);
    const wait = b.on({ kind: 'sink-written', result: { kind: 'need-approval' } });
    expect(kinds(wait)).toEqual(['paused', 'timer']);
    b.power = battery(26);
    expect(kinds(b.on({ kind: 'timer' }))).toEqual(['sink-approve']);
    expect(b.on({ kind: 'sink-approved' })).toContainEqual({
      kind: 'sink-write',
      offset: 0,
      data: new Uint8Array(50).fill(0),
    });
  });

  it('a refusal is told to the server with the sink status (INVALID_IMAGE)', () => {
    const b = new Bench();
    b.downloading(0);
    b.block(0, 50);
    const a = b.on({
      kind: 'sink-written',
      result: { kind: 'refused', error: new (class extends Error {})() as never, status: 0x96 },
    });
    expect(sent(a)).toEqual([{ name: 'upgradeEndRequest', status: 0x96, ...ID }]);
  });

  it('a sink that throws ends the download with ABORT', () => {
    const b = new Bench();
    b.downloading(0);
    b.block(0, 50);
    const a = b.on({ kind: 'sink-failed', error: { code: 'SINK_FAILED', message: 'x', name: 'OtaError' } as never });
    expect(sent(a)).toEqual([{ name: 'upgradeEndRequest', status: 0x95, ...ID }]);
  });

  it('completion: Upgrade End SUCCESS, then the server says wait for the activation command', () => {
    const b = new Bench();
    b.downloading(950);
    b.block(950, 50);
    expect(kinds(b.on({ kind: 'sink-written', result: { kind: 'ok' } }))).toEqual(['sink-end']);
    expect(sent(b.on({ kind: 'sink-ended', result: { kind: 'ok' } }))).toEqual([
      { name: 'upgradeEndRequest', status: 0, ...ID },
    ]);
    expect(b.client.attributes.imageUpgradeStatus).toBe(2);
    const wrong = b.frame({ name: 'upgradeEndResponse', ...ID, fileVersion: 0x99, currentTime: 0, upgradeTime: 0 });
    expect(wrong.find((x) => x.kind === 'refused')).toMatchObject({ error: { code: 'OTA_END_WRONG_IMAGE' } });
    const done = b.frame({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0xffffffff });
    expect(done.find((x) => x.kind === 'finished')).toMatchObject({
      outcome: { kind: 'downloaded', activation: 'on-command' },
    });
    expect(b.client.attributes.imageUpgradeStatus).toBe(6);
  });

  it('an activation time is kept as a delay (server times are not trusted as wall time)', () => {
    const b = new Bench();
    b.downloading(1000);
    b.on({ kind: 'sink-ended', result: { kind: 'ok' } });
    const done = b.frame({ name: 'upgradeEndResponse', ...ID, currentTime: 5_000, upgradeTime: 5_060 });
    expect(done.find((x) => x.kind === 'finished')).toMatchObject({
      outcome: { activation: 'at-delay', delayMs: 60_000 },
    });
    expect(b.client.attributes.imageUpgradeStatus).toBe(4);
  });
});

describe('power', () => {
  it('a new download waits below the start level; a journalled one goes on at the resume level', () => {
    const fresh = new Bench();
    fresh.power = battery(50);
    const a = fresh.downloading(0);
    expect(kinds(a)).toContain('paused');
    expect(sent(a)).toEqual([]);
    fresh.power = battery(61);
    expect(sent(fresh.on({ kind: 'timer' }))).toHaveLength(1);

    const resumed = new Bench();
    resumed.power = battery(50);
    expect(sent(resumed.downloading(400))).toHaveLength(1);
  });

  it('no query at all below the resume level', () => {
    const b = new Bench();
    b.power = battery(40);
    b.on({ kind: 'boot' });
    const a = b.on({ kind: 'timer' });
    expect(sent(a)).toEqual([]);
    expect(timers(a)).toEqual([DEFAULT_POWER_POLICY.recheckMs]);
  });

  it('below the pause level the download pauses and persists; it resumes at the resume level', () => {
    const b = new Bench();
    b.power = battery(70);
    b.downloading(300);
    b.block(300, 50);
    b.power = battery(29);
    const a = b.on({ kind: 'sink-written', result: { kind: 'ok' } });
    expect(kinds(a)).toEqual(['sink-persist', 'paused', 'timer']);
    b.power = battery(40);
    expect(sent(b.on({ kind: 'timer' }))).toEqual([]);
    b.power = battery(46);
    expect(sent(b.on({ kind: 'timer' }))).toEqual([
      { name: 'imageBlockRequest', ...ID, fileOffset: 350, maximumDataSize: 64 },
    ]);
  });

  it('a brown-out warning persists progress at once, even mid-exchange, once per warning', () => {
    const b = new Bench();
    b.power = battery(70);
    b.downloading(300);
    const a = b.on({ kind: 'timer' }, { power: battery(70, true) });
    expect(a[0]).toEqual({ kind: 'sink-persist' });
    expect(kinds(b.on({ kind: 'timer' }, { power: battery(70, true) }))).not.toContain('sink-persist');
  });

  it('battery pacing: never faster than MinimumBlockPeriod, slower when low, airtime share capped; mains at the server pace', () => {
    const p = DEFAULT_POWER_POLICY;
    const air = exchangeAirtimeMs(18, 67);
    expect(air).toBeCloseTo(((18 + 67 + 124) * 8) / 250, 6);
    expect(requestIntervalMs(p, MAINS, 0, 18, 67)).toBe(0);
    expect(requestIntervalMs(p, MAINS, 300, 18, 67)).toBe(300);
    expect(requestIntervalMs(p, battery(90), 0, 18, 67)).toBe(Math.ceil(air / p.airtimeShare));
    expect(requestIntervalMs(p, battery(90), 2_000, 18, 67)).toBe(2_000);
    const mid = requestIntervalMs(p, battery(55), 0, 18, 67);
    const low = requestIntervalMs(p, battery(30), 0, 18, 67);
    expect(mid).toBe(Math.ceil(((80 - 55) / 50) * p.lowBatteryIntervalMs));
    expect(low).toBe(p.lowBatteryIntervalMs);
  });

  it('the policy order is enforced', () => {
    expect(() => validatePowerPolicy(DEFAULT_POWER_POLICY)).not.toThrow();
    expect(() => validatePowerPolicy({ ...DEFAULT_POWER_POLICY, resumePercent: 70 })).toThrow(/POWER_POLICY_ORDER/);
    expect(() => validatePowerPolicy({ ...DEFAULT_POWER_POLICY, activatePercent: 35 })).toThrow(/POWER_POLICY_ORDER/);
  });
});

describe('robustness', () => {
  it('never throws, whatever events and bytes arrive', () => {
    const rng = new Rng(99);
    const b = new Bench();
    const frames = [
      encodeOtaFrame({
        sequence: 1,
        command: { name: 'queryNextImageResponse', status: 0, image: { ...ID, imageSize: SIZE } },
      }),
      encodeOtaFrame({
        sequence: 2,
        command: { name: 'imageBlockResponse', status: 0, ...ID, fileOffset: 0, data: new Uint8Array(50) },
      }),
      encodeOtaFrame({
        sequence: 3,
        command: { name: 'imageBlockResponse', status: 0x97, currentTime: 0, requestTime: 1, minimumBlockPeriod: 10 },
      }),
      encodeOtaFrame({ sequence: 4, command: { name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0 } }),
      encodeOtaFrame({ sequence: 5, command: { name: 'imageNotify', payloadType: 0, queryJitter: 100 } }),
    ];
    const events = (): ClientEvent => {
      switch (rng.int(0, 8)) {
        case 0:
          return { kind: 'timer' };
        case 1:
          return { kind: 'sink-begun', resumeOffset: rng.int(-5, SIZE + 5) };
        case 2:
          return { kind: 'sink-written', result: rng.chance(0.5) ? { kind: 'ok' } : { kind: 'need-approval' } };
        case 3:
          return { kind: 'sink-approved' };
        case 4:
          return { kind: 'sink-ended', result: { kind: 'ok' } };
        case 5:
          return { kind: 'frame', bytes: rng.bytes(rng.int(0, 40)) };
        default: {
          const f = frames[rng.int(0, frames.length)].slice();
          if (rng.chance(0.3)) f[rng.int(0, f.length)] = rng.int(0, 256);
          return { kind: 'frame', bytes: f };
        }
      }
    };
    let refusals = 0;
    for (let i = 0; i < 20_000; i++) {
      b.now += rng.int(0, 5_000);
      const power = rng.chance(0.5) ? MAINS : battery(rng.int(0, 101), rng.chance(0.1));
      const actions = b.on(events(), { power, random: rng.next() });
      for (const a of actions)
        if (a.kind === 'refused') {
          expect(isOtaError(a.error)).toBe(true);
          refusals++;
        }
    }
    expect(refusals).toBeGreaterThan(100);
  });
});

describe('the state table', () => {
  it('docs/OTA-CLIENT.md carries exactly the table the code runs', () => {
    const doc = readFileSync('docs/OTA-CLIENT.md', 'utf8');
    expect(doc).toContain(otaClientTableMarkdown());
  });

  it('every state has a row or is one that waits on a sink answer, and every row names a known state', () => {
    const states = Object.keys(TIMER_MEANING);
    for (const r of OTA_CLIENT_TABLE) expect(r.from === 'any' || states.includes(r.from)).toBe(true);
    const withRows = new Set(OTA_CLIENT_TABLE.map((r) => r.from));
    expect(states.filter((s) => !withRows.has(s as never))).toEqual(['downloaded']);
  });

  it('an event with no row for the state is ignored and counted', () => {
    const b = new Bench();
    b.on({ kind: 'boot' });
    const before = b.client.ignored;
    expect(b.frame({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0 })).toEqual([]);
    expect(b.client.ignored).toBe(before + 1);
    expect(b.client.state).toBe('idle');
  });
});
