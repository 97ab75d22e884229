/**
 * Flash rows: successive updates on one chip (banks alternate, the journal rotates), so
 * per-update figures are the steady state, not the first update from the factory.
 */
import { benchImage, SECTOR_SIZE, sectorsOf } from './images.js';
import { buildRow, type BenchRow } from './rows.js';
import { REGIONS, regionOf, RMW_MIN_BYTES, tappedUpdate, type Region, type TappedUpdate } from './world-tap.js';
import { SIMULATED_DEVICE } from '../simulate/fresh-image.js';

const SECTION = 'Flash';
/** Successive updates on one chip: even, so each bank is written equally often. */
export const CHAIN = 6;
export const CHAIN_KIB = 256;
/** Boot-record changes an update must make: the trial armed, then confirmed with the new floor. */
const BOOT_RECORD_CHANGES = 2;

export interface ChainFigures {
  updates: number;
  payloadLength: number;
  prefixLength: number;
  erases: Record<Region, number>;
  programmedBytes: Record<Region, number>;
  journalPrograms: number;
  /** Most erases any one sector took over the chain. */
  mostWornErases: number;
  mostWornRegion: Region;
  readModifyWrites: number;
  runs: TappedUpdate[];
}

/** Updates run before counting starts: the first two find erased metadata and a factory record, which later ones do not. */
export const WARM_UP = 2;

export function updateChain(updates = CHAIN, kib = CHAIN_KIB): ChainFigures {
  const erases = Object.fromEntries(REGIONS.map((r) => [r, 0])) as Record<Region, number>;
  const programmedBytes = { ...erases };
  const sectorErases = new Map<number, number>();
  const runs: TappedUpdate[] = [];
  let media;
  let journalPrograms = 0;
  let rmw = 0;
  let prefixLength = 0;
  for (let k = 0; k < WARM_UP + updates; k++) {
    const image = benchImage(kib, 11 + k, SIMULATED_DEVICE.currentVersion + k);
    prefixLength = image.prefixLength;
    const run = tappedUpdate({ ...image.options, media });
    if (run.result.outcome !== 'confirmed') throw new Error(`update ${k + 1} of the chain: ${run.result.outcome}`);
    media = run.world.media;
    if (k < WARM_UP) continue;
    runs.push(run);
    for (const r of REGIONS) {
      erases[r] += run.flash.erases.get(r) ?? 0;
      programmedBytes[r] += run.flash.programmedBytes.get(r) ?? 0;
    }
    for (const [s, n] of run.flash.sectorErases) sectorErases.set(s, (sectorErases.get(s) ?? 0) + n);
    journalPrograms += run.flash.programs.get('journal') ?? 0;
    rmw += run.flash.readModifyWrites;
  }
  let mostWornErases = 0;
  let mostWornSector = 0;
  for (const [s, n] of sectorErases) {
    if (n > mostWornErases) {
      mostWornErases = n;
      mostWornSector = s;
    }
  }
  const mostWornRegion = regionOf(runs[0].world.layout, mostWornSector);
  return {
    updates,
    payloadLength: kib * 1024,
    prefixLength,
    erases,
    programmedBytes,
    journalPrograms,
    mostWornErases,
    mostWornRegion,
    readModifyWrites: rmw,
    runs,
  };
}

export function flashRows(chain: ChainFigures): BenchRow[] {
  const k = chain.updates;
  const per = (x: number) => x / k;
  const rows: BenchRow[] = [];
  const journalBytes = per(chain.programmedBytes.journal);
  const floors: Record<Region, { floor: number; how: string; why: string }> = {
    bank: { floor: sectorsOf(chain.payloadLength), how: '⌈payload / sector⌉: the sectors the image occupies', why: '' },
    metadata: {
      floor: sectorsOf(chain.prefixLength + 24),
      how: '⌈(signed prefix + record header) / sector⌉',
      why: 'the stale record of the bank is invalidated before the download and written again after it',
    },
    journal: {
      floor: journalBytes / SECTOR_SIZE,
      how: 'journal bytes programmed per update / sector size (a sector is erased only once full)',
      why: 'rotation erases the new sector before copying and the old one after: two erases per rotation for one sector of records',
    },
    'boot record': {
      floor: BOOT_RECORD_CHANGES,
      how: `${BOOT_RECORD_CHANGES} records must change (trial armed; confirmed with the new floor), one copy's sector erased for each`,
      why:
        'two writes beyond the floor: the bootloader counts the trial boot down (so that a cut or a hang reverts it), and from the second ' +
        'update on the download first releases the previous image kept as the fallback (raising the floor in the same write); keeping the ' +
        "trial count as bits programmed in the record's sector and folding the release into the arming write would meet the floor",
    },
  };
  for (const r of ['bank', 'metadata', 'journal', 'boot record'] as const) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Erases per update: ${r}`,
        figure: per(chain.erases[r]),
        unit: 'erases',
        floor: floors[r].floor,
        floorHow: floors[r].how,
        target: { on: 'ratio', op: '<=', value: r === 'journal' ? 2 : 1 },
        whyNot: floors[r].why,
        ran: 'node',
      }),
    );
  }
  const programmed = REGIONS.reduce((a, r) => a + chain.programmedBytes[r], 0);
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Bytes programmed per update (every region)',
      figure: per(programmed),
      unit: 'B',
      floor: chain.payloadLength + chain.prefixLength,
      floorHow: 'payload + the signed prefix kept in the metadata record',
      target: { on: 'ratio', op: '<=', value: 1.05 },
      whyNot: 'journal records and boot-record copies add to the image bytes',
      ran: 'node',
      note: REGIONS.map((r) => `${r} ${Math.round(per(chain.programmedBytes[r])).toLocaleString('en')}`).join(', '),
    }),
  );
  const worn = per(chain.mostWornErases);
  rows.push(
    buildRow({
      section: SECTION,
      what: `Most-worn sector: erases per update (a ${chain.mostWornRegion} sector)`,
      figure: worn,
      unit: 'erases',
      floor: 0.5,
      floorHow: 'a bank sector, erased once every two updates (the banks alternate)',
      target: { on: 'ratio', op: '<=', value: 4 },
      whyNot: `the ${chain.mostWornRegion} sectors are erased more often than the banks: spreading its writes over more sectors (or appending records without erasing) would meet it`,
      ran: 'node',
    }),
  );
  for (const cycles of [10_000, 100_000]) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Updates until the most-worn sector reaches ${cycles.toLocaleString('en')} cycles`,
        figure: cycles / worn,
        unit: 'updates',
        floor: cycles / 0.5,
        floorHow: 'the same at 0.5 erases per update (the banks alone); ratio below 1 is worse',
        target: { on: 'figure', op: '>=', value: cycles / 10 },
        whyNot: 'see the most-worn sector row',
        ran: 'node',
        note: 'target: a monthly update for 15 years is 180; the target leaves a wide margin',
      }),
    );
  }
  rows.push(
    buildRow({
      section: SECTION,
      what: `Read-modify-write: programs that put back ≥ ${RMW_MIN_BYTES} B of what their sector's erase removed`,
      figure: chain.readModifyWrites,
      unit: 'programs',
      floor: 0,
      floorHow: 'none is needed: every region is written in order after one erase',
      target: { on: 'figure', op: '<=', value: 0 },
      whyNot: 'a sector is rewritten to change part of it',
      ran: 'node',
    }),
  );
  const journalRecords = per(chain.journalPrograms) / 2;
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Journal records per update (programs / 2: body, then commit word)',
      figure: journalRecords,
      unit: 'records',
      floor: sectorsOf(chain.payloadLength),
      floorHow: 'one progress record per journal interval (a sector of payload)',
      target: { on: 'ratio', op: '<=', value: 1.25 },
      whyNot:
        'records beside the per-sector progress: offset 0 at the start, payload complete, the held trailer, clearing at the end, and the copies a rotation makes',
      ran: 'node',
    }),
  );
  return rows;
}
