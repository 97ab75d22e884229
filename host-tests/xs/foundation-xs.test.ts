/**
 * The XS lane, foundation part: device code bundled with esbuild runs inside the real XS
 * engine with TextEncoder/TextDecoder removed, and gives the same answers as on Node.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Decoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../device/util/bytes.js';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/foundation.entry.ts');
const run = <T>(name: string, args: unknown = {}) => lane.run<T>(name, args);

describe('XS engine (xsnap) runs device code', () => {
  it('has no TextEncoder, TextDecoder, Buffer or process, as on a device', async () => {
    expect(await run('environment')).toEqual({
      textEncoder: 'undefined',
      textDecoder: 'undefined',
      buffer: 'undefined',
      process: 'undefined',
    });
  });

  it('SHA-256 (@noble/hashes) matches the FIPS 180-2 vectors, in any chunking', async () => {
    const abc = toHex(new Uint8Array([0x61, 0x62, 0x63]));
    expect(await run('sha256', { hex: abc, chunk: 1 })).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const twoBlocks = Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq').toString('hex');
    expect(await run('sha256', { hex: twoBlocks, chunk: 7 })).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    const big = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
    expect(await run('sha256', { hex: toHex(big), chunk: 333 })).toBe(toHex(sha256(big)));
  });

  it('P-256 verify (@noble/curves, lowS false) accepts a good signature and rejects a tampered one', async () => {
    const secret = sha256(new TextEncoder().encode('althan-ota xs lane test key'));
    const key = toHex(p256.getPublicKey(secret, false));
    const digest = sha256(new TextEncoder().encode('firmware'));
    const sig = p256.sign(digest, secret, { prehash: false, lowS: false });
    const der = p256.Signature.fromBytes(sig, 'compact').toBytes('der');
    expect(await run('p256', { digest: toHex(digest), sig: toHex(sig), key, format: 'raw' })).toBe(true);
    expect(await run('p256', { digest: toHex(digest), sig: toHex(der), key, format: 'der' })).toBe(true);
    const tampered = sig.slice();
    tampered[10] ^= 1;
    expect(await run('p256', { digest: toHex(digest), sig: toHex(tampered), key, format: 'raw' })).toBe(false);
    const otherDigest = sha256(new TextEncoder().encode('firmwarE'));
    expect(await run('p256', { digest: toHex(otherDigest), sig: toHex(sig), key, format: 'raw' })).toBe(false);
    expect(await run('p256', { digest: toHex(digest), sig: toHex(sig.subarray(0, 63)), key, format: 'raw' })).toBe(
      false,
    );
  });

  it("UTF-8 and hex helpers give Node's answers inside XS, past the piece size and with lone surrogates", async () => {
    const text =
      Array.from({ length: 3001 }, (_, i) => ['a', '\u00e9', '\u20ac', '\ud83d\ude00', 'Z'][i % 5]).join('') +
      '\ud800x';
    const utf8 = Buffer.from(text.slice(0, -2), 'utf8').toString('hex');
    const r = await run<{ decoded: string | null; encodedHex: string; bytesBack: boolean }>('text', {
      utf8Hex: utf8.toUpperCase(),
      text,
    });
    expect(r.decoded).toBe(text.slice(0, -2));
    expect(r.encodedHex).toBe(`${utf8}eda08078`);
    expect(r.bytesBack).toBe(true);
    const bad = await run<{ decoded: string | null }>('text', { utf8Hex: `${'61'.repeat(2000)}ff`, text: '' });
    expect(bad.decoded).toBeNull();
  });

  it('CBOR round trip of a nested record with the device codec, cross-checked by cbor-x', async () => {
    const r = await run<{ hex: string; same: boolean; refused: string }>('cborRoundTrip');
    expect(r.same).toBe(true);
    expect(r.refused).toBe('CBOR_KEY_ORDER');
    const decoded = new Decoder({ mapsAsObjects: false, useRecords: false }).decode(Buffer.from(r.hex, 'hex')) as Map<
      unknown,
      unknown
    >;
    expect(decoded.get(1)).toBe(0x1234);
    expect(decoded.get(2)).toBe(-500);
    expect(Buffer.from(decoded.get(3) as Uint8Array).toString('hex')).toBe('000102ff');
    expect(decoded.get(4)).toBe('Alt HAN \u00e9\u20ac');
    expect(Number(decoded.get(6))).toBe(2 ** 40);
    expect(decoded.get('x')).toBe(false);
  });

  // Last: it freezes Error.prototype in this worker.
  it('an OtaError is made where Error.prototype is frozen (a build with preloaded modules)', async () => {
    expect(await run('otaErrorFrozenRealm')).toEqual({
      isOtaError: true,
      name: 'OtaError',
      code: 'CBOR_KEY_ORDER',
      frozen: true,
    });
  });
});
