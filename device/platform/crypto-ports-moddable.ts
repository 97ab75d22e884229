/**
 * `platform/crypto-ports` on Moddable platforms with the SDK's native crypto: `crypt`
 * Digest for SHA-256, `modules/crypt/arith` under the portable ECDSA checks for P-256.
 * Same exports as device/platform/crypto-ports.ts (the portable choice). It sits beside
 * that file because XS resolves its relative imports from the module name
 * `platform/crypto-ports`, and the host resolves them from this file's folder.
 */
import type { P256Verifier, Sha256 } from '../ports.js';
import { nativeP256 } from './moddable/p256-native.js';
import { nativeSha256 } from './moddable/sha256-native.js';

export const cryptoPortsKind: 'native' | 'portable' = 'native';
export const platformSha256: Sha256 = nativeSha256;
export const platformP256: P256Verifier = nativeP256;
