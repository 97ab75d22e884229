/**
 * device/ecdsa's public surface: the ECDSA P-256 input checks over a platform's curve
 * engine. Kept apart from device/crypto so that a native port imports them without
 * loading noble (whose modules cannot be preloaded and take RAM the moment they load).
 */
export { P256, type P256Engine, checkedP256Verifier } from './ecdsa-p256-checks.js';
