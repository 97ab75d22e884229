/**
 * The MCU update run's tables from the marks its image sends (device/platform/mcu/
 * agent-marks.ts, `mcu` events): instructions per phase of one whole update, from the
 * same run, and RAM at idle and during the update. Counts are exact under -icount
 * shift=0; each mark's count runs from the core's reset, with time spent waiting for a
 * timer or the link left out. Pure: tested in host-tests/cli/mcu-e2e-phases.test.ts.
 */

/** One `mcu` event as the supervisor recorded it. */
export interface Mark {
  launch: number;
  mark: string;
  instructions: number;
  gc?: number;
  slotHeap?: number;
  chunkHeap?: number;
  slotPeak?: number;
  chunkPeak?: number;
  stackPeak?: number;
  mallocHighWater?: number;
  ramTouched?: number;
  boot?: number;
  entered?: number;
}

export interface PhaseRow {
  phase: string;
  instructions: number;
  /** Per KiB of the bytes the phase handled, when it has a size. */
  perKiB?: number;
  gc?: number;
}

export interface RamRow {
  when: string;
  /** Largest slot + chunk heap XS held. */
  xsHeap: number;
  slotHeap: number;
  chunkHeap: number;
  slotPeak: number;
  chunkPeak: number;
  stackPeak: number;
  gc: number;
  mallocHighWater: number;
  ramTouched: number;
}

/** The `mcu` events of a run's event list, as marks. */
export function marksOf(events: Array<{ launch: number } & Record<string, unknown>>): Mark[] {
  return events.filter((e) => e.kind === 'mcu' && typeof e.mark === 'string').map((e) => e as unknown as Mark);
}

/** XS counts collections in 16 bits (mcu/native memory().gc): a difference modulo 2^16. */
export function gcBetween(a: number, b: number): number {
  return (b - a + 0x10000) % 0x10000;
}

function find(marks: Mark[], launch: number, name: string, after = -1): Mark | undefined {
  return marks.find((m, i) => i > after && m.launch === launch && m.mark === name);
}

/**
 * The phase table of one update: launch `from` (the old image: download, verify, CS06,
 * restart) and launch `trial` (the new image's first boot, to its confirmation).
 * `runningBytes` and `payloadBytes` are the old and new images' sizes (per-KiB rows).
 * Missing marks leave their rows out.
 */
export function phaseTable(marks: Mark[], from: number, trial: number, runningBytes: number, payloadBytes: number) {
  const rows: PhaseRow[] = [];
  const at = (launch: number, name: string) => find(marks, launch, name);
  const span = (phase: string, a: Mark | undefined, b: Mark | undefined, bytes = 0) => {
    if (!a || !b) return;
    const n = b.instructions - a.instructions;
    const row: PhaseRow = { phase, instructions: n };
    if (bytes) row.perKiB = Math.round(n / (bytes / 1024));
    if (a.gc !== undefined && b.gc !== undefined) row.gc = gcBetween(a.gc, b.gc);
    rows.push(row);
  };
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  const entry = at(from, 'entry');
  if (entry?.boot !== undefined) rows.push({ phase: 'reset to XS machine ready', instructions: entry.boot });
  if (entry?.entered !== undefined)
    rows.push({ phase: 'reset to entry module running (imports done)', instructions: entry.entered });
  const start = at(from, 'agent-start');
  if (start)
    rows.push({
      phase: 'reset to agent start (hello, flash, trust store, agent built)',
      instructions: start.instructions,
    });
  span(
    `agent start: boot check, power-on check of the running image (${kib(runningBytes)} hashed), first query`,
    start,
    at(from, 'agent-started'),
    runningBytes,
  );
  const download = at(from, 'phase:download');
  const erase = at(from, 'first-erase');
  span(
    'download start to first erase: header, manifest, signature, chain verified (nothing erased before)',
    download,
    erase,
  );
  const endIn = at(from, 'end-in');
  const endOut = at(from, 'end-out');
  span(
    'download path: receive a block, parse, hash, program, journal (per KiB of payload)',
    erase,
    endIn,
    payloadBytes,
  );
  span('end of image: last block, payload digest, supplier signature, bank read-back', endIn, endOut);
  span('Upgrade End exchange to verified', endOut, at(from, 'phase:verify'));
  const cs06 = at(from, 'cs06');
  const restart = at(from, 'restart');
  span('activation: CS06 command to restart (trial armed in the boot record)', cs06, restart);
  const trialStart = at(trial, 'agent-start');
  if (trialStart) rows.push({ phase: 'trial boot: reset to agent start', instructions: trialStart.instructions });
  span(
    `trial boot: boot check, power-on check of the new image (${kib(payloadBytes)} hashed)`,
    trialStart,
    at(trial, 'agent-started'),
    payloadBytes,
  );
  const confirmed = at(trial, 'phase:confirmed');
  span(
    'trial boot: self-test to confirmed (confirm + new floor: one boot-record write)',
    at(trial, 'agent-started'),
    confirmed,
  );
  if (cs06 && restart && confirmed)
    rows.push({
      phase: 'activation to confirm: CS06 to restart, then reset to confirmed',
      instructions: restart.instructions - cs06.instructions + confirmed.instructions,
    });
  return rows;
}

/**
 * RAM over the marks after `a` up to and including `b` (same launch). Marks without RAM
 * readings (`end-in` carries only its count) are passed over; the high-water figures are
 * the last readings in the span.
 */
export function ramBetween(when: string, marks: Mark[], a: Mark | undefined, b: Mark | undefined): RamRow | undefined {
  if (!b) return undefined;
  const i = a ? marks.indexOf(a) : -1;
  const j = marks.indexOf(b);
  const span = marks.slice(i + 1, j + 1).filter((m) => m.launch === b.launch && m.slotHeap !== undefined);
  const last = span.at(-1);
  if (!last) return undefined;
  const max = (f: (m: Mark) => number) => Math.max(...span.map(f));
  return {
    when,
    xsHeap: max((m) => (m.slotHeap ?? 0) + (m.chunkHeap ?? 0)),
    slotHeap: max((m) => m.slotHeap ?? 0),
    chunkHeap: max((m) => m.chunkHeap ?? 0),
    slotPeak: max((m) => m.slotPeak ?? 0),
    chunkPeak: max((m) => m.chunkPeak ?? 0),
    stackPeak: max((m) => m.stackPeak ?? 0),
    gc: gcBetween(a?.gc ?? 0, last.gc ?? 0),
    mallocHighWater: last.mallocHighWater ?? 0,
    ramTouched: last.ramTouched ?? 0,
  };
}

/** RAM at idle before the update, during each part of it, and at idle after it. */
export function ramTable(marks: Mark[], from: number, trial: number, last: number): RamRow[] {
  const at = (launch: number, name: string) => find(marks, launch, name);
  const download = at(from, 'phase:download');
  const idleBefore = marks.filter(
    (m) => m.launch === from && m.mark === 'idle' && (!download || marks.indexOf(m) < marks.indexOf(download)),
  );
  const rows = [
    ramBetween('boot to agent started (old image)', marks, undefined, at(from, 'agent-started')),
    ramBetween('idle before the update (old image)', marks, at(from, 'agent-started'), idleBefore.at(-1)),
    ramBetween('download: authentication to first erase', marks, download, at(from, 'first-erase')),
    ramBetween('download path', marks, at(from, 'first-erase'), at(from, 'end-in')),
    ramBetween('end of image checks', marks, at(from, 'end-in'), at(from, 'end-out')),
    ramBetween('verified to restart (CS06, trial armed)', marks, at(from, 'end-out'), at(from, 'restart')),
    ramBetween('trial boot to confirmed (new image)', marks, undefined, at(trial, 'phase:confirmed')),
    ramBetween(
      'idle after the update (new image)',
      marks,
      at(trial, 'phase:confirmed'),
      marks.filter((m) => m.launch === last && m.mark === 'idle').at(-1),
    ),
  ];
  return rows.filter((r): r is RamRow => r !== undefined);
}
