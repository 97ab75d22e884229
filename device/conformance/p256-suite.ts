/**
 * P256Verifier port contract: a known signature verifies in both encodings and with high
 * S; anything else is refused with `false` and never a throw — another digest, r or s
 * outside [1, n−1], a key off the curve or not uncompressed, a DER encoding that is not
 * the one strict DER allows. Extra vectors (Wycheproof, generated into a build) can be
 * passed in as `cases`.
 */
import type { P256Verifier, SignatureFormat } from '../ports.js';
import { fromHex } from '../util/index.js';
import { must, SuiteRun, type CheckResult } from './report.js';

/** One verification and its expected answer. */
export interface P256Case {
  name: string;
  digest: Uint8Array;
  signature: Uint8Array;
  publicKey: Uint8Array;
  format: SignatureFormat;
  valid: boolean;
}

// A P-256 key and its signature over SHA-256("abc") (also device/main.ts's start-up check).
const KEY =
  '044987c15a962394bfca76ca0243ade307e02094dfa03bd9b2635569743adf26865b7392d2b4ed389a416981f01c2e827334999fd3cc9c7ef85d6c4d8a060a3634';
const DIGEST = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const R = '6291e551ceb210cbd4d2fb88fec6689e55b941c663a5deaa958bb3955b5dbfec';
const S = '0b9cf4dcb7a6674108350d0b81c451345f071277d4144f09fad2b44263e50752';
/** n − S: the same signature with high S. */
const S_HIGH = 'f4630b22485998bff7caf2f47e3baecb5ddfe835d3034f7af8e71680987e1dff';
/** R + n, 33 bytes. */
const R_PLUS_N = '016291e550ceb210ccd4d2fb88fec6689e12a03c740abd7d2f89457e5857c0e53d';
const N = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
const P = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';
const ZERO = '00'.repeat(32);
const DER = `30440220${R}0220${S}`;

function derInt(hex32: string): string {
  return parseInt(hex32.slice(0, 2), 16) >= 0x80 ? `022100${hex32}` : `0220${hex32}`;
}

function derSig(r: string, s: string): string {
  const body = derInt(r) + derInt(s);
  return `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
}

function make(
  name: string,
  signature: string,
  format: SignatureFormat,
  valid: boolean,
  key = KEY,
  digest = DIGEST,
): P256Case {
  return { name, digest: fromHex(digest), signature: fromHex(signature), publicKey: fromHex(key), format, valid };
}

function flipLast(hex: string): string {
  const last = parseInt(hex.slice(-2), 16) ^ 1;
  return hex.slice(0, -2) + last.toString(16).padStart(2, '0');
}

/** The built-in cases: what every P256Verifier must get right. */
export function builtInP256Cases(): P256Case[] {
  const otherDigest = flipLast(DIGEST);
  const yPlusOne = KEY.slice(0, -2) + ((parseInt(KEY.slice(-2), 16) + 1) & 0xff).toString(16).padStart(2, '0');
  return [
    make('raw r‖s verifies', R + S, 'raw', true),
    make('DER verifies', DER, 'der', true),
    make('high S verifies (raw)', R + S_HIGH, 'raw', true),
    make('high S verifies (DER)', derSig(R, S_HIGH), 'der', true),
    make('another digest is refused', R + S, 'raw', false, KEY, otherDigest),
    make('a changed signature is refused', R + flipLast(S), 'raw', false),
    make('r = 0 is refused', ZERO + S, 'raw', false),
    make('s = 0 is refused', R + ZERO, 'raw', false),
    make('r = n is refused', N + S, 'raw', false),
    make('s = n is refused', R + N, 'raw', false),
    make('r + n (r ≥ n, same value mod n) is refused', `30450221${R_PLUS_N}0220${S}`, 'der', false),
    make('key off the curve is refused', R + S, 'raw', false, yPlusOne),
    make('key with x = p is refused', R + S, 'raw', false, `04${P}${KEY.slice(66)}`),
    make(
      'all-zero key (the point at infinity has no such encoding) is refused',
      R + S,
      'raw',
      false,
      `04${ZERO}${ZERO}`,
    ),
    make('compressed key is refused', R + S, 'raw', false, `02${KEY.slice(2, 66)}`),
    make('raw signature of 63 bytes is refused', (R + S).slice(0, -2), 'raw', false),
    make('raw signature of 65 bytes is refused', R + S + '00', 'raw', false),
    make('DER with a trailing byte is refused', DER + '00', 'der', false),
    make('DER with a long-form length is refused', `3081440220${R}0220${S}`, 'der', false),
    make('DER with a padded INTEGER is refused', `3045022100${R}0220${S}`, 'der', false),
    make('DER with a negative r is refused', `30440220${'9' + R.slice(1)}0220${S}`, 'der', false),
    make('DER truncated is refused', DER.slice(0, -2), 'der', false),
    make('DER with three INTEGERs is refused', `30470220${R}0220${S}020101`, 'der', false),
    make('raw bytes given as DER are refused', R + S, 'der', false),
    make('empty signature is refused', '', 'der', false),
    { ...make('31-byte digest is refused', R + S, 'raw', false), digest: fromHex(DIGEST.slice(2)) },
  ];
}

export function runP256Suite(port: P256Verifier, cases: readonly P256Case[] = builtInP256Cases()): CheckResult[] {
  const run = new SuiteRun('P256Verifier');
  for (const c of cases) {
    run.check(c.name, () => {
      let got: unknown;
      try {
        got = port.verify(c.digest, c.signature, c.publicKey, c.format);
      } catch (e) {
        must(false, `threw ${String(e)} (the port must return false)`);
      }
      must(typeof got === 'boolean', `returned ${String(got)}, not a boolean`);
      must(got === c.valid, c.valid ? 'a valid signature was refused' : 'an invalid input was accepted');
    });
  }
  return run.results;
}
