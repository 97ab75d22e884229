/** Radio rows: block requests against ⌈size / block⌉, losses, airtime share, frames other than blocks. */
import { DEFAULT_POWER_POLICY } from '../../device/agent/index.js';
import { benchImage, BLOCK_SIZE, blocksOf } from './images.js';
import { buildRow, meanAndWorst, type BenchRow } from './rows.js';
import { airtimeShare, tappedUpdate } from './world-tap.js';

const SECTION = 'Radio';
export const LOSS_SEEDS = 20;
/** The frames an update needs besides blocks: Query Next Image request and response, Upgrade End request and response. */
const NON_BLOCK_FLOOR = 4;

export function radioRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  const big = benchImage(256);
  const lossless = tappedUpdate(big.options);
  const floor = blocksOf(big.file.length);
  rows.push(
    buildRow({
      section: SECTION,
      what: `Image Block Requests, lossless link, ${big.payloadLength / 1024} KiB payload (${big.file.length} B file)`,
      figure: lossless.result.blockRequests,
      unit: 'requests',
      floor,
      floorHow: `⌈file size / ${BLOCK_SIZE} B block⌉`,
      target: { on: 'ratio', op: '<=', value: 1 },
      ran: 'node',
      note: lossless.result.outcome,
    }),
  );

  const small = benchImage(64);
  const lossImage = big;
  const n = blocksOf(lossImage.file.length);
  const lossFloor = n / 0.81;
  // The loss process alone spreads a perfect client's count: n successes at p = 0.81 take n/p ± √(n(1−p))/p requests.
  const sigma = Math.sqrt(n * 0.19) / 0.81 / lossFloor;
  const ratios: number[] = [];
  const counts: number[] = [];
  for (let seed = 1; seed <= LOSS_SEEDS; seed++) {
    const r = tappedUpdate({ ...lossImage.options, loss: 0.1, seed }).result;
    if (r.outcome !== 'confirmed') throw new Error(`10 % loss, seed ${seed}: ${r.outcome}`);
    counts.push(r.blockRequests);
    ratios.push(r.blockRequests / lossFloor);
  }
  const c = meanAndWorst(counts);
  const lossWhy =
    'a lost request or response costs one timeout and one re-request of the same offset, which is the floor; the rest is the loss ' +
    'process itself (see the note: the worst of 20 runs lies about 2 σ above the mean) and requests made again after a late response; ' +
    'a larger image narrows the spread (σ ∝ 1/√blocks)';
  for (const [label, figure] of [
    ['mean', c.mean],
    ['worst', c.worst],
  ] as const) {
    rows.push(
      buildRow({
        section: SECTION,
        what: `Image Block Requests at 10 % loss each way, ${lossImage.payloadLength / 1024} KiB payload, ${label} of ${LOSS_SEEDS} seeds`,
        figure,
        unit: 'requests',
        floor: lossFloor,
        floorHow: `⌈file size / ${BLOCK_SIZE}⌉ / 0.81 (a request succeeds when both frames arrive: 0.9²)`,
        target: { on: 'ratio', op: '<=', value: 1.02 },
        whyNot: lossWhy,
        ran: 'node',
        note: `the loss alone spreads a perfect client by ±${(100 * sigma).toFixed(2)} % (1 σ)`,
      }),
    );
  }

  const battery = tappedUpdate({ ...small.options, battery: true });
  const share = airtimeShare(battery.radio);
  rows.push(
    buildRow({
      section: SECTION,
      what: `Channel airtime share of the download on a battery device, ${small.payloadLength / 1024} KiB payload`,
      figure: share,
      unit: 'of the channel',
      floor: DEFAULT_POWER_POLICY.airtimeShare,
      floorHow:
        'the configured cap (PowerPolicy.airtimeShare); every frame both ways, with 62 B of PHY/MAC/NWK/APS overhead and the MAC ACK',
      target: { on: 'ratio', op: '<=', value: 1 },
      whyNot:
        'the pacing counts one request and one full-block response per exchange; retries and other frames inside the window are not paced',
      ran: 'node',
      note: `${battery.result.outcome}; download took ${((battery.radio.lastBlockAtMs - battery.radio.firstBlockAtMs) / 1000).toFixed(0)} s of device time`,
    }),
  );

  const frames = lossless.radio.frames;
  let other = 0;
  const kinds: string[] = [];
  for (const [name, n] of frames) {
    if (name === 'imageBlockRequest' || name === 'imageBlockResponse') continue;
    other += n;
    kinds.push(`${name} ${n}`);
  }
  rows.push(
    buildRow({
      section: SECTION,
      what: 'Frames other than block requests and responses, per update (lossless)',
      figure: other,
      unit: 'frames',
      floor: NON_BLOCK_FLOOR,
      floorHow: 'Query Next Image request + response, Upgrade End request + response',
      target: { on: 'ratio', op: '<=', value: 2 },
      whyNot:
        'the device queries at each boot of the update (the first, the trial and the confirmed one); skipping the query of the trial boot would save two frames',
      ran: 'node',
      note: kinds.join(', '),
    }),
  );
  return rows;
}

export const radioSection = { name: SECTION, rows: radioRows };
export { BLOCK_SIZE };
