/**
 * Sha256 port in portable JavaScript (@noble/hashes). Correct everywhere XS runs, but
 * two orders of magnitude slower on XS than on V8 (docs/BENCHMARKS.md): a platform with
 * a native digest (Moddable's `crypt` Digest, a hardware SHA engine) should use that.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Sha256, Sha256Context } from '../ports.js';

export const nobleSha256: Sha256 = {
  create(): Sha256Context {
    const h = sha256.create();
    return {
      update(data) {
        h.update(data);
      },
      digest() {
        return h.digest();
      },
    };
  },
};
