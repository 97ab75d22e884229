/**
 * Instructions per KiB of SHA-256 through a Sha256 port, fed in 64-byte updates (blocks as
 * they arrive over the air) and in 1 KiB updates (the power-on check reading flash). The
 * stream is byte k = k mod 256; its digests below were computed on the host (Node crypto),
 * so every figure comes with a checked answer.
 */
import type { Sha256 } from '../../ports.js';
import { toHex } from '../../util/index.js';
import { measure, row } from './report.js';

const STREAM_DIGESTS: Record<number, string> = {
  2: '10fc3c51a152e90e5b90319b601d92ccf37290ef53c35ff92507687d8a911a08',
  16: 'a1f259d4365ed4320c377ce26f5c8c56dcdc9a89e7b641bfd8eabfbbeac86654',
};

function blocksOf(update: number): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (let offset = 0; offset < 1024; offset += update) {
    const block = new Uint8Array(update);
    for (let i = 0; i < update; i++) block[i] = (offset + i) & 0xff;
    blocks.push(block);
  }
  return blocks;
}

/** Reports one row per update size; returns whether every digest was right. */
export function benchSha256(port: Sha256, portName: string, kib: 2 | 16): boolean {
  let ok = true;
  for (const update of [64, 1024]) {
    const blocks = blocksOf(update);
    let digest = '';
    const m = measure(() => {
      const h = port.create();
      for (let k = 0; k < kib; k++) for (const block of blocks) h.update(block);
      digest = toHex(h.digest());
    });
    const right = digest === STREAM_DIGESTS[kib];
    ok &&= right;
    row('sha256', {
      port: portName,
      update,
      kib,
      perKiB: Math.round(m.instructions / kib),
      gcPerKiB: m.gc / kib,
      right,
    });
  }
  return ok;
}
