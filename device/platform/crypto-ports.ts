/**
 * The crypto ports a build uses, chosen by the manifest: on a platform with native code
 * for them, `manifest.json` maps the module `platform/crypto-ports` to that platform's file
 * (device/platform/crypto-ports-moddable.ts); everywhere else, and for host
 * type-checking, it is this file: the portable noble ports.
 */
import { nobleP256, nobleSha256 } from '../crypto/index.js';
import type { P256Verifier, Sha256 } from '../ports.js';

export const cryptoPortsKind: 'native' | 'portable' = 'portable';
export const platformSha256: Sha256 = nobleSha256;
export const platformP256: P256Verifier = nobleP256;
