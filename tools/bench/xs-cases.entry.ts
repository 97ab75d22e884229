/** Benchmark cases that run inside XS (bundled by tools/bench/run.ts). */
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { fromHex } from '../../device/util/bytes.js';
import { decodeCbor } from '../../device/util/cbor.js';
import { serve } from '../../host-tests/xs/entries/serve.js';

serve({
  /** Streams `kib` KiB through SHA-256 in 64-byte blocks (a Zigbee block is smaller still). */
  sha256: (args: { kib: number }) => {
    const block = new Uint8Array(64).fill(0x5a);
    const h = nobleSha256.create();
    for (let i = 0; i < args.kib * 16; i++) h.update(block);
    return h.digest()[0];
  },
  p256: (args: { digest: string; sig: string; key: string; times: number }) => {
    const d = fromHex(args.digest);
    const s = fromHex(args.sig);
    const k = fromHex(args.key);
    let ok = 0;
    for (let i = 0; i < args.times; i++) if (nobleP256.verify(d, s, k, 'raw')) ok++;
    return ok;
  },
  cbor: (args: { hex: string; times: number }) => {
    const b = fromHex(args.hex);
    let n = 0;
    for (let i = 0; i < args.times; i++) n += (decodeCbor(b) as Map<number, unknown>).size;
    return n;
  },
});
