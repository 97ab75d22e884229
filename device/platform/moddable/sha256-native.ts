/**
 * Sha256 port over Moddable's native `crypt` Digest (portable C, or the chip's engine
 * where the port maps it). On XS the pure-JS digest is two orders of magnitude slower
 * (docs/BENCHMARKS.md), and the agent hashes the whole payload at every power-on, so a
 * device build uses this one. Add "$(MODULES)/crypt/digest/manifest.json" to the build.
 */
import { Digest } from 'crypt';
import type { Sha256, Sha256Context } from '../../ports.js';

export const nativeSha256: Sha256 = {
  create(): Sha256Context {
    const d = new Digest('SHA256');
    return {
      update(data) {
        // Digest.write reads a typed array's own bytes (xsmcGetBufferReadable in SDK 8.2.3's
        // modCrypt.c; its typings say ArrayBuffer only), so a block's subarray is hashed in
        // place: no copy, no allocation per block.
        d.write(data as unknown as ArrayBuffer);
      },
      digest() {
        return new Uint8Array(d.close());
      },
    };
  },
};
