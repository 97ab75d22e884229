/**
 * What the obvious alternatives would cost, in the same run: each row's figure is the
 * alternative, its floor what althan-ota does. Target ≥ 1×: the alternative costs at least
 * as much on the measure the design chose it for.
 */
import { DEFAULT_POWER_POLICY } from '../../device/agent/index.js';
import { Journal, DownloadStage, recordDownloadProgress, makeLayout } from '../../device/storage/index.js';
import { PowerRail, FlashMedia, NOR_FF_ALIGN4 } from '../../sim/index.js';
import { benchImage, BLOCK_SIZE, blocksOf, SECTOR_SIZE, sectorsOf } from './images.js';
import { digestCosts } from './digests.js';
import type { ResumeFigures } from './resume.js';
import { buildRow, meanAndWorst, type BenchRow } from './rows.js';
import { airtimeShare, tappedUpdate } from './world-tap.js';
import type { XsFigures } from './xs-cost.js';

const SECTION = 'Alternatives';
const AT_LEAST_AS_DEAR = { on: 'ratio', op: '>=', value: 1 } as const;

/** Journal erases and programs for `records` progress records on a fresh journal (the real Journal on emulated flash). */
export function journalCost(records: number, payloadLength: number): { erases: number; programs: number } {
  const media = new FlashMedia(NOR_FF_ALIGN4, 16 * SECTOR_SIZE);
  const flash = media.attach(new PowerRail());
  const layout = makeLayout(flash, { bankSize: 4 * SECTOR_SIZE, metadataSize: SECTOR_SIZE });
  const journal = Journal.open(flash, layout);
  const [a, b] = layout.journalSectors;
  const before = {
    erases: media.eraseCount[a] + media.eraseCount[b],
    programs: media.programCount[a] + media.programCount[b],
  };
  const p = {
    manufacturerCode: 0x1234,
    imageType: 0x42,
    fileVersion: 2,
    manifestDigest: new Uint8Array(32).fill(3),
    payloadLength,
    bank: 1,
    stage: DownloadStage.downloading,
  };
  for (let i = 1; i <= records; i++) {
    const payloadOffset = Math.min(payloadLength, Math.round((i * payloadLength) / records));
    recordDownloadProgress(journal, { ...p, fileOffset: payloadOffset + 700, payloadOffset });
  }
  return {
    erases: media.eraseCount[a] + media.eraseCount[b] - before.erases,
    programs: media.programCount[a] + media.programCount[b] - before.programs,
  };
}

export function alternativeRows(xs: XsFigures, resume: ResumeFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  const kib = 256;
  const payload = kib * 1024;
  const perSector = journalCost(sectorsOf(payload), payload);
  const perBlock = journalCost(blocksOf(payload), payload);
  rows.push(
    buildRow({
      section: SECTION,
      what: `Journal record per block instead of per sector: journal erases per ${kib} KiB update`,
      figure: perBlock.erases,
      unit: 'erases',
      floor: Math.max(perSector.erases, 0),
      floorHow: `a record per sector (${sectorsOf(payload)} records), the real Journal on emulated flash`,
      target: AT_LEAST_AS_DEAR,
      whyNot: '',
      ran: 'node',
      note: `programs ${perBlock.programs.toLocaleString('en')} against ${perSector.programs.toLocaleString('en')}; it would save at most one sector (${SECTOR_SIZE} B) of download after a cut`,
    }),
  );
  const sha = xs.sha256PerKiB;
  const path = xs.parsePerKiB + xs.streamHashPerKiB + xs.programPerKiB + xs.writerHashPerKiB + xs.journalPerKiB;
  // Hash after the download: the stream keeps only the Manufacturer Image digest; the payload digest comes from reading the bank back.
  const after = path - xs.streamHashPerKiB / 2 + xs.readBackHashPerKiB;
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Hash after the download (read the bank back) instead of while streaming: XS compute per KiB',
      figure: after,
      unit: 'compute/KiB',
      floor: path,
      floorHow: 'the download path as built (see XS cost)',
      target: AT_LEAST_AS_DEAR,
      whyNot:
        'the bank writer already reads the whole bank back and hashes it at finish, so the read-back costs nothing extra here; ' +
        'what the alternative would lose is not compute: a payload that does not match would be found only after a second pass over flash, and the bytes received are no longer what is hashed',
      ran: RAN_XS,
      note: `one read-back digest ${Math.round(xs.readBackHashPerKiB).toLocaleString('en')}/KiB against ${Math.round(sha).toLocaleString('en')}/KiB hashing in RAM`,
    }),
  );
  const digests = digestCosts(xs);
  rows.push(
    buildRow({
      section: SECTION,
      what: "Bank writer without its input digest (the read-back digest compared with the manifest's only): XS compute per KiB of the download path",
      figure: digests.withoutInput,
      unit: 'compute/KiB',
      floor: digests.asBuilt,
      floorHow: 'the download path as built (through UpdateSink, see XS cost)',
      target: AT_LEAST_AS_DEAR,
      whyNot:
        'it is cheaper and proves the same (see "The four digests"): the input digest is redundant with the stream\'s payload digest; ' +
        'BankWriter taking the expected digest at begin and resume, and skipping its input digest then, would adopt it',
      ran: RAN_XS,
    }),
  );
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Bank writer comparing CRC-32s (of the bytes given, of the bank read back) instead of its two digests: XS compute per KiB of the download path',
      figure: digests.crcReadBack,
      unit: 'compute/KiB',
      floor: digests.asBuilt,
      floorHow: 'the download path as built (through UpdateSink, see XS cost)',
      target: AT_LEAST_AS_DEAR,
      whyNot:
        'it is cheaper, and catches flash faults as well, but no longer proves before arming that the bank equals the signed payload; ' +
        'a bank that escaped it would be caught by the bootloader at the trial boot, as a reboot and a revert (see "The four digests")',
      ran: RAN_XS,
      note: `CRC-32 ${Math.round(xs.crc32PerKiB).toLocaleString('en')}/KiB against SHA-256 ${Math.round(xs.sha256PerKiB).toLocaleString('en')}/KiB`,
    }),
  );
  const small = benchImage(64);
  const paced = tappedUpdate({ ...small.options, battery: true });
  const unpaced = tappedUpdate({
    ...small.options,
    battery: true,
    policy: { ...DEFAULT_POWER_POLICY, airtimeShare: 1 },
  });
  const span = (t: typeof paced) => (t.radio.lastBlockAtMs - t.radio.firstBlockAtMs) / 1000;
  rows.push(
    buildRow({
      section: SECTION,
      what: 'No airtime pacing on battery: channel share of the download (64 KiB)',
      figure: airtimeShare(unpaced.radio),
      unit: 'of the channel',
      floor: airtimeShare(paced.radio),
      floorHow: `paced to PowerPolicy.airtimeShare = ${DEFAULT_POWER_POLICY.airtimeShare}`,
      target: AT_LEAST_AS_DEAR,
      whyNot: '',
      ran: 'node',
      note: `download ${span(unpaced).toFixed(0)} s instead of ${span(paced).toFixed(0)} s of device time; ${unpaced.result.outcome}`,
    }),
  );
  const zero = meanAndWorst(resume.cutOffsets);
  const resumed = meanAndWorst(resume.twice);
  rows.push(
    buildRow({
      section: SECTION,
      what: `Restart from zero after a cut: bytes downloaded twice, mean of ${resume.cutOffsets.length} cuts`,
      figure: zero.mean,
      unit: 'B',
      floor: resumed.mean,
      floorHow: 'resume from the journal, the same cuts (see Resume)',
      target: AT_LEAST_AS_DEAR,
      whyNot: '',
      ran: 'node',
      note: `worst ${Math.round(zero.worst).toLocaleString('en')} B against ${Math.round(resumed.worst).toLocaleString('en')} B; each byte again is ${1 / BLOCK_SIZE} of a block request`,
    }),
  );
  return rows;
}

const RAN_XS = 'xs (xsnap)';
