/**
 * Energy proxy on a battery device: radio requests, flash work and XS compute of one whole
 * update, each against the same for the payload alone (its blocks, its sectors, one digest
 * of it). Radio and flash are also summed in the emulated battery's own units
 * (sim/sim-battery.ts); compute has no calibrated weight there, so it
 * stays a row of its own.
 */
import { DEFAULT_BATTERY } from '../../sim/index.js';
import { digestCosts } from './digests.js';
import { benchImage, blocksOf, sectorsOf } from './images.js';
import { buildRow, type BenchRow } from './rows.js';
import { tappedUpdate } from './world-tap.js';
import { deviceComputePerUpdate, type XsFigures } from './xs-cost.js';

const SECTION = 'Energy (battery)';
export const ENERGY_KIB = 256;

export function energyRows(xs: XsFigures): BenchRow[] {
  const image = benchImage(ENERGY_KIB);
  const run = tappedUpdate({ ...image.options, battery: true });
  if (run.result.outcome !== 'confirmed') throw new Error(`battery update: ${run.result.outcome}`);
  const b = DEFAULT_BATTERY;
  const payload = image.payloadLength;
  const radio = run.radio.framesUp;
  const radioFloor = blocksOf(payload);
  let erases = 0;
  let programmed = 0;
  for (const n of run.flash.erases.values()) erases += n;
  for (const n of run.flash.programmedBytes.values()) programmed += n;
  const flashUnits = erases * b.flashErase + programmed * b.flashProgramPerByte;
  const flashFloor = sectorsOf(payload) * b.flashErase + payload * b.flashProgramPerByte;
  const compute = deviceComputePerUpdate(xs, image.file.length, payload);
  const computeFloor = (xs.sha256PerKiB * payload) / 1024;
  const d = digestCosts(xs);
  const fileKiB = image.file.length / 1024;
  const ratioWith = (perKiB: number) => ((compute - (d.asBuilt - perKiB) * fileKiB) / computeFloor).toFixed(1);
  const rows: BenchRow[] = [];
  const row = (
    what: string,
    figure: number,
    unit: string,
    floor: number,
    floorHow: string,
    target: number,
    whyNot: string,
    note?: string,
  ) =>
    rows.push(
      buildRow({
        section: SECTION,
        what,
        figure,
        unit,
        floor,
        floorHow,
        target: { on: 'ratio', op: '<=', value: target },
        whyNot,
        note,
        ran: 'node',
      }),
    );
  row(
    `Frames the device sends, ${ENERGY_KIB} KiB update`,
    radio,
    'frames',
    radioFloor,
    "⌈payload / block⌉: the payload's own block requests",
    1.02,
    'the file carries the header, manifest, signatures and chain (and the trailer) beside the payload, and the update needs queries and an Upgrade End',
    `${run.result.blockRequests} block requests for ${blocksOf(image.file.length)} blocks of the file`,
  );
  row(
    'Flash work per update, in battery units',
    flashUnits,
    'units',
    flashFloor,
    `the payload's sectors erased (${b.flashErase} each) and its bytes programmed (${b.flashProgramPerByte} per byte)`,
    1.25,
    'boot-record, journal and metadata erases cost as much as a bank sector each',
    `${erases} erases, ${programmed.toLocaleString('en')} B programmed`,
  );
  row(
    'XS compute per update (from the XS cost rows)',
    compute,
    'compute',
    computeFloor,
    'one SHA-256 of the payload',
    4.5,
    'the payload is hashed four times on the download path (see XS cost) and twice more by the running-image check at the trial and the confirmed boot; ' +
      'the target allows the two digests the format needs, the two boot checks, and half a digest for parse, program, journal and the three verifies; ' +
      `dropping the bank writer's redundant input digest would bring it to ${ratioWith(d.withoutInput)}×, and comparing CRC-32s instead of both its digests to ${ratioWith(d.crcReadBack)}× (see "The four digests")`,
    'download path through UpdateSink × file KiB + 3 signature verifies + 2 running-image checks',
  );
  const radioUnits = radio * b.radioRequest;
  row(
    'Radio and flash per update, in battery units',
    radioUnits + flashUnits,
    'units',
    radioFloor * b.radioRequest + flashFloor,
    'the same for the payload alone',
    1.1,
    'see the rows above',
    `radio ${radioUnits.toLocaleString('en')} + flash ${Math.round(flashUnits).toLocaleString('en')}`,
  );
  return rows;
}
