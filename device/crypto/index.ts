/** device/crypto's public surface: other folders and tools import from here only. */
export { P256, type P256Engine, checkedP256Verifier } from '../ecdsa/index.js';
export { nobleP256 } from './noble-p256.js';
export { nobleSha256 } from './noble-sha256.js';
export { p256 } from './p256-curve.js';
