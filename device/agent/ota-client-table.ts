/**
 * The OTA client's state table (docs/OTA-CLIENT.md renders the same rows; a test keeps the
 * two identical). `OtaClient.handle` turns each event into a trigger (a timer, a sink
 * result, or a frame by its command), takes the first row for the client's state whose
 * condition holds, and runs it; an event with no row is ignored and counted.
 *
 * A row's `to` names every state its step may end in: the block checks and the error
 * count (`maxErrors`) decide inside the step, as the tables below the state table say.
 */
import type { OtaError } from '../errors.js';
import { OtaStatus, type OtaCommand, ZclError } from '../zigbee/index.js';
import type { SinkEndResult, SinkWriteResult } from './image-sink.js';
import type { ClientAction, ClientReading, ClientStateName } from './ota-client-io.js';
import type { OtaClient } from './ota-client.js';
import { mayResume, mayStart } from './power-policy.js';
import { OtaClientError } from './ota-errors.js';

type ServerCommand<K extends OtaCommand['name']> = Extract<OtaCommand, { name: K }>;

/** What each trigger carries into its row. */
export interface ClientInputs {
  boot: undefined;
  timer: undefined;
  'sink-begun': number;
  'sink-written': SinkWriteResult;
  'sink-approved': undefined;
  'sink-ended': SinkEndResult;
  'sink-failed': OtaError;
  'undecodable frame': OtaError;
  'client-to-server frame': OtaCommand;
  imageNotify: ServerCommand<'imageNotify'>;
  queryNextImageResponse: ServerCommand<'queryNextImageResponse'>;
  imageBlockResponse: ServerCommand<'imageBlockResponse'>;
  upgradeEndResponse: ServerCommand<'upgradeEndResponse'>;
  defaultResponse: ServerCommand<'defaultResponse'>;
}
export type ClientTrigger = keyof ClientInputs;

/** Server-to-client commands the table has rows for; any other decoded command is ignored. */
export const SERVER_COMMANDS: readonly ClientTrigger[] = [
  'imageNotify',
  'queryNextImageResponse',
  'imageBlockResponse',
  'upgradeEndResponse',
  'defaultResponse',
];

interface ClientRow<K extends ClientTrigger = ClientTrigger> {
  /** `any`: the row applies in every state. */
  from: ClientStateName | 'any';
  on: K;
  /** Condition written as text for the table; `when` decides. */
  guard?: string;
  when?: (client: OtaClient, input: ClientInputs[K], reading: ClientReading) => boolean;
  /** Every state the step may end in. */
  to: string;
  run: (client: OtaClient, input: ClientInputs[K], reading: ClientReading, out: ClientAction[]) => void;
  /** What the row does, for the table. */
  doText: string;
}

/** A code as the table's text shows it. */
const code = (c: string): string => `\`${c}\``;

/** Keys a row by its trigger, so `when` and `run` see that trigger's input. */
function row<K extends ClientTrigger>(r: ClientRow<K>): ClientRow {
  return r as unknown as ClientRow;
}

/** What the client's one timer means in each state (docs/OTA-CLIENT.md). */
export const TIMER_MEANING: Readonly<Record<ClientStateName, string>> = {
  idle: 'next query',
  querying: 'response timeout',
  beginning: '–',
  downloading: 'response timeout while a request is in flight, else the paced time of the next request',
  writing: '–',
  approval: 'power re-check',
  paused: 'power re-check',
  ending: 'response timeout',
  downloaded: '–',
};

/** The client, one row per (state, trigger, condition). Rows are tried in order. */
export const OTA_CLIENT_TABLE: readonly ClientRow[] = [
  row({
    from: 'any',
    on: 'boot',
    to: 'idle',
    run: (c, _i, reading, out) => c.toIdle(out, Math.floor(reading.random * c.config.notifyDelayMaxMs)),
    doText: 'first query after a random delay ≤ `notifyDelayMaxMs`',
  }),
  row({
    from: 'idle',
    on: 'timer',
    guard: 'below the resume level',
    when: (c, _i, reading) => !mayResume(c.policy, reading.power),
    to: 'idle',
    run: (c, _i, _r, out) => c.recheckLater(out),
    doText: 'no query (answering an offer would cost energy for nothing); re-check later',
  }),
  row({
    from: 'idle',
    on: 'timer',
    to: 'querying',
    run: (c, _i, _r, out) => c.sendQuery(out),
    doText: 'send Query Next Image Request (with the hardware version)',
  }),
  row({
    from: 'idle',
    on: 'imageNotify',
    to: 'idle',
    run: (c, command, reading, out) => c.onNotify(command, reading, out),
    doText:
      'if it names this device (or wildcards) and not the running version, query with probability QueryJitter/100 after a random delay ≤ `notifyDelayMaxMs`',
  }),
  row({
    from: 'querying',
    on: 'timer',
    guard: '`maxErrors` tries unanswered',
    when: (c) => c.lastErrorAllowed(),
    to: 'idle',
    run: (c, _i, _r, out) => c.queryUnanswered(out),
    doText: `refused ${code(OtaClientError.queryNoAnswer)}; no download started, no Upgrade End`,
  }),
  row({
    from: 'querying',
    on: 'timer',
    to: 'querying',
    run: (c, _i, _r, out) => c.retryQuery(out),
    doText: 'error++; query again after backoff',
  }),
  row({
    from: 'querying',
    on: 'queryNextImageResponse',
    to: 'beginning, idle',
    run: (c, command, _r, out) => c.onQueryResponse(command, out),
    doText:
      'NO_IMAGE → idle; an offer for another manufacturer/type, not newer, larger than the sink or smaller than an OTA header → refused, idle; else `sink-begin`',
  }),
  row({
    from: 'beginning',
    on: 'sink-begun',
    to: 'downloading, paused, writing, idle',
    run: (c, resumeOffset, reading, out) => c.onBegun(resumeOffset, reading, out),
    doText:
      'resume offset = size → `sink-end`; below the start level (offset 0) or resume level (offset > 0) → paused; else request the block at the offset',
  }),
  row({
    from: 'downloading',
    on: 'timer',
    guard: 'a request in flight',
    when: (c) => c.requestInFlight,
    to: 'downloading, paused, idle',
    run: (c, _i, reading, out) => c.blockTimedOut(reading, out),
    doText: `error++ (${code(OtaClientError.blockTimeout)}); retry **the same offset** after backoff; at \`maxErrors\` give up`,
  }),
  row({
    from: 'downloading',
    on: 'timer',
    to: 'downloading, paused',
    run: (c, _i, reading, out) => c.requestOrPause(reading, out),
    doText: 'send the next request when pacing allows; pause on low power',
  }),
  row({
    from: 'downloading',
    on: 'imageBlockResponse',
    to: 'writing, downloading, paused, idle',
    run: (c, command, reading, out) => c.onBlockResponse(command, reading, out),
    doText: 'see "Image Block Response while downloading"',
  }),
  row({
    from: 'downloading',
    on: 'defaultResponse',
    guard: 'an error status to the request in flight',
    when: (c, command) => c.requestInFlight && command.status !== OtaStatus.success,
    to: 'downloading, paused, idle',
    run: (c, command, reading, out) => c.serverRefused(command, reading, out),
    doText: `refused ${code(OtaClientError.serverRefused)}, error++, same offset after backoff`,
  }),
  row({
    from: 'downloading',
    on: 'undecodable frame',
    guard: 'a request in flight',
    when: (c) => c.requestInFlight,
    to: 'downloading, paused, idle',
    run: (c, error, reading, out) => c.badAnswer(reading, out, error),
    doText: "refused with its `ZCL_*` code: the exchange's (bad) answer, error++, same offset after backoff",
  }),
  row({
    from: 'any',
    on: 'undecodable frame',
    to: 'unchanged',
    run: (_c, error, _r, out) => out.push({ kind: 'refused', error }),
    doText: 'refused with its `ZCL_*` code',
  }),
  row({
    from: 'any',
    on: 'client-to-server frame',
    to: 'unchanged',
    run: (c, command, _r, out) => c.wrongDirection(command, out),
    doText: `refused ${code(ZclError.wrongDirection)}`,
  }),
  row({
    from: 'paused',
    on: 'timer',
    guard: 'at or above start (nothing written yet) or resume',
    when: (c, _i, reading) => (c.fileOffset === 0 ? mayStart : mayResume)(c.policy, reading.power),
    to: 'downloading, paused',
    run: (c, _i, reading, out) => c.resumeDownload(reading, out),
    doText: 'request the block at the offset (pacing starts afresh)',
  }),
  row({
    from: 'paused',
    on: 'timer',
    to: 'paused',
    run: (c, _i, _r, out) => c.recheckLater(out),
    doText: 're-check later',
  }),
  row({
    from: 'writing',
    on: 'sink-written',
    to: 'downloading, paused, approval, writing, idle',
    run: (c, result, reading, out) => c.onWritten(result, reading, out),
    doText:
      "ok → next offset (or `sink-end` at the end); `need-approval` → approval; refused → Upgrade End with the sink's status",
  }),
  row({
    from: 'approval',
    on: 'timer',
    to: 'writing, approval',
    run: (c, _i, reading, out) => c.tryApprove(reading, out),
    doText: 'at or above the activate (erase) level: `sink-approve`; else re-check later',
  }),
  row({
    from: 'any',
    on: 'sink-approved',
    to: 'writing',
    run: (c, _i, _r, out) => c.writePending(out),
    doText: 'write the block that waited for the approval again',
  }),
  row({
    from: 'any',
    on: 'sink-ended',
    to: 'ending, idle',
    run: (c, result, reading, out) => c.onEnded(result, reading, out),
    doText:
      "ok: status 2 (download complete), send Upgrade End Request SUCCESS; refused: Upgrade End with the sink's status",
  }),
  row({
    from: 'any',
    on: 'sink-failed',
    guard: 'an image is being downloaded',
    when: (c) => c.currentImage !== undefined,
    to: 'idle',
    run: (c, error, reading, out) => c.giveUp(reading, out, error, OtaStatus.abort),
    doText: "Upgrade End Request ABORT; the download ends with the sink's error",
  }),
  row({
    from: 'ending',
    on: 'timer',
    guard: '`maxErrors` tries unanswered',
    when: (c) => c.lastErrorAllowed(),
    to: 'downloaded',
    run: (c, _i, _r, out) => c.keepUnanswered(out),
    doText: 'keep the verified image, status 3 (waiting to upgrade): activation waits to be told',
  }),
  row({
    from: 'ending',
    on: 'timer',
    to: 'ending',
    run: (c, _i, _r, out) => c.retryUpgradeEnd(out),
    doText: 'error++; send Upgrade End Request SUCCESS again after backoff',
  }),
  row({
    from: 'ending',
    on: 'upgradeEndResponse',
    to: 'downloaded, ending',
    run: (c, command, _r, out) => c.onEndResponse(command, out),
    doText: `naming another image: refused ${code(OtaClientError.endWrongImage)}; upgrade time 0xFFFFFFFF → status 6 (wait for the activation command); else count down (status 4) for upgradeTime − currentTime (upgradeTime when currentTime is 0)`,
  }),
];

/** The first row for `state` and `trigger` whose condition holds, if any. */
export function findClientRow<K extends ClientTrigger>(
  client: OtaClient,
  trigger: K,
  input: ClientInputs[K],
  reading: ClientReading,
): ClientRow | undefined {
  return OTA_CLIENT_TABLE.find(
    (r) =>
      (r.from === 'any' || r.from === client.state) && r.on === trigger && (!r.when || r.when(client, input, reading)),
  );
}

/** The tables as Markdown (docs/OTA-CLIENT.md carries exactly these). */
export function otaClientTableMarkdown(): string {
  const lines = ['| state | the timer means |', '| --- | --- |'];
  for (const [state, meaning] of Object.entries(TIMER_MEANING)) lines.push(`| ${state} | ${meaning} |`);
  lines.push(
    '',
    '| state | event | condition | next state | what the client does |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const r of OTA_CLIENT_TABLE) lines.push(`| ${r.from} | ${r.on} | ${r.guard ?? ''} | ${r.to} | ${r.doText} |`);
  return lines.join('\n');
}
