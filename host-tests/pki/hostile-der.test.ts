/**
 * Hostile DER never gets past the reader untyped: truncation at every length, overlong
 * and non-minimal lengths, indefinite lengths, deep nesting, trailing bytes, non-DER
 * primitives, and every single-byte change of a real certificate all end in an OtaError
 * with a PKI_* code (or, for changes that keep the certificate well formed, in a typed
 * validation failure; never an accept).
 */
import { describe, expect, it } from 'vitest';
import {
  children,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOid,
  readRoot,
  readTime,
} from '../../device/pki/der.js';
import { decodeTrustStore, encodeTrustStore, parseCertificate, verifyChain } from '../../device/pki/index.js';
import { concatBytes, fromHex } from '../../device/util/bytes.js';
import { encodeCbor } from '../../device/util/cbor.js';
import { createTestPki } from '../../tools/pki/index.js';
import { oid, printable, seq, set } from '../../tools/pki/der-encode.js';
import { codeOf, crypto } from './crypto.js';
import { rfcChain } from './fixtures.js';

const pki = createTestPki();
const leaf = pki.supplier1.der;
const anchors = [pki.smkiRoot.der];

describe('hostile DER certificates', () => {
  it('every truncation of a certificate → a PKI_DER_* code', () => {
    const codes = new Set<string>();
    for (let n = 0; n < leaf.length; n++) codes.add(codeOf(() => parseCertificate(leaf.subarray(0, n))));
    expect([...codes].every((c) => c.startsWith('PKI_DER_'))).toBe(true);
    expect(codes.has('PKI_DER_TRUNCATED')).toBe(true);
  });

  it('an outer length longer than the input → PKI_DER_TRUNCATED', () => {
    const bad = leaf.slice();
    bad[3] += 1; // 30 82 hi lo: one more byte claimed than present
    expect(codeOf(() => parseCertificate(bad))).toBe('PKI_DER_TRUNCATED');
  });

  it('an inner length running past its parent → PKI_DER_TRUNCATED', () => {
    const tbs = children(readRoot(leaf))[0];
    expect(leaf[tbs.start + 1]).toBe(0x82); // 2-octet length form
    const bad = leaf.slice();
    const n = ((bad[tbs.start + 2] << 8) | bad[tbs.start + 3]) + 4; // the TBSCertificate claims 4 bytes more
    bad[tbs.start + 2] = n >> 8;
    bad[tbs.start + 3] = n & 0xff;
    expect(codeOf(() => parseCertificate(bad))).toBe('PKI_DER_TRUNCATED');
  });

  it('non-minimal lengths → PKI_DER_NON_MINIMAL', () => {
    expect(codeOf(() => readRoot(fromHex('0481050102030405')))).toBe('PKI_DER_NON_MINIMAL');
    expect(codeOf(() => readRoot(concatBytes(fromHex('04820090'), new Uint8Array(0x90))))).toBe('PKI_DER_NON_MINIMAL');
    // the certificate's own 2-octet length re-encoded with 3 octets
    const n = (leaf[2] << 8) | leaf[3];
    const longer = concatBytes(Uint8Array.of(0x30, 0x83, 0, n >> 8, n & 0xff), leaf.subarray(4));
    expect(codeOf(() => parseCertificate(longer))).toBe('PKI_DER_TOO_LARGE');
  });

  it('lengths of more than two octets → PKI_DER_TOO_LARGE, before anything is allocated', () => {
    expect(codeOf(() => readRoot(fromHex('3084ffffffff')))).toBe('PKI_DER_TOO_LARGE');
  });

  it('indefinite length → PKI_DER_INDEFINITE_LENGTH', () => {
    expect(codeOf(() => readRoot(fromHex('30800201010000')))).toBe('PKI_DER_INDEFINITE_LENGTH');
    expect(
      codeOf(() => parseCertificate(concatBytes(Uint8Array.of(0x30, 0x80), leaf.subarray(4), Uint8Array.of(0, 0)))),
    ).toBe('PKI_DER_INDEFINITE_LENGTH');
  });

  it('deep nesting inside a certificate-shaped input → PKI_DER_TOO_DEEP (recursion stops at the bound)', () => {
    let v: Uint8Array = fromHex('0500');
    for (let i = 0; i < 40; i++) v = concatBytes(Uint8Array.of(0x30, v.length), v);
    expect(v.length).toBeLessThan(128);
    expect(codeOf(() => parseCertificate(v))).toBe('PKI_DER_TOO_DEEP');
  });

  it('trailing bytes after the certificate → PKI_DER_TRAILING_BYTES', () => {
    expect(codeOf(() => parseCertificate(concatBytes(leaf, Uint8Array.of(0))))).toBe('PKI_DER_TRAILING_BYTES');
    expect(
      codeOf(() =>
        verifyChain([concatBytes(leaf, Uint8Array.of(0)), pki.orgCa.der], anchors, { profile: 'smki', crypto }),
      ),
    ).toBe('PKI_DER_TRAILING_BYTES');
  });

  it('high tag numbers and empty input → typed', () => {
    expect(codeOf(() => readRoot(fromHex('1f0100')))).toBe('PKI_DER_MALFORMED');
    expect(codeOf(() => parseCertificate(new Uint8Array(0)))).toBe('PKI_DER_TRUNCATED');
    expect(codeOf(() => parseCertificate('not bytes' as unknown as Uint8Array))).toBe('PKI_DER_MALFORMED');
  });

  it('a certificate larger than MAX_CERT_BYTES → PKI_CERT_TOO_LARGE', () => {
    expect(codeOf(() => parseCertificate(new Uint8Array(5000)))).toBe('PKI_CERT_TOO_LARGE');
  });

  it('a multi-valued RDN must list its members in DER SET OF order', () => {
    const c = seq(oid('2.5.4.6'), printable('GB'));
    const cn = seq(oid('2.5.4.3'), printable('AB'));
    const ordered = rfcChain({ leaf: { subject: seq(set(cn, c)) } });
    expect(verifyChain(ordered.chain, ordered.anchors, { profile: 'rfc5280', crypto }).anchorIndex).toBe(0);
    const unordered = rfcChain({ leaf: { subject: seq(set(c, cn)) } });
    expect(codeOf(() => verifyChain(unordered.chain, unordered.anchors, { profile: 'rfc5280', crypto }))).toBe(
      'PKI_DER_MALFORMED',
    );
  });

  it('non-DER primitives → typed codes', () => {
    const one = (hex: string) =>
      children(readRoot(fromHex(`30${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`)))[0];
    expect(codeOf(() => readIntegerBytes(one('0202007f'), 'i'))).toBe('PKI_DER_NON_MINIMAL');
    expect(codeOf(() => readIntegerBytes(one('0202ff80'), 'i'))).toBe('PKI_DER_NON_MINIMAL');
    expect(codeOf(() => readIntegerBytes(one('0200'), 'i'))).toBe('PKI_DER_MALFORMED');
    expect(codeOf(() => readBoolean(one('010101'), 'b'))).toBe('PKI_DER_MALFORMED');
    expect(codeOf(() => readOid(one('06032a8001'), 'o'))).toBe('PKI_DER_NON_MINIMAL');
    expect(codeOf(() => readOid(one('06022a86'), 'o'))).toBe('PKI_DER_TRUNCATED');
    expect(codeOf(() => readBitString(one('030201ff'), 'bs'))).toBe('PKI_DER_MALFORMED');
    expect(codeOf(() => readBitString(one('030108'), 'bs'))).toBe('PKI_DER_MALFORMED');
    const time = (s: string, tag = 0x17) =>
      codeOf(() =>
        readTime(
          one(`${tag.toString(16)}${s.length.toString(16).padStart(2, '0')}${Buffer.from(s).toString('hex')}`),
          't',
        ),
      );
    expect(time('250230000000Z')).toBe('PKI_DER_MALFORMED'); // 30 February
    expect(time('2501010000Z')).toBe('PKI_DER_MALFORMED'); // no seconds
    expect(time('250101000000+0100')).toBe('PKI_DER_MALFORMED'); // not Zulu
    expect(time('20250101000000.5Z', 0x18)).toBe('PKI_DER_MALFORMED'); // fraction
    expect(readTime(one(`170d${Buffer.from('491231235959Z').toString('hex')}`), 't')).toBe(
      Date.UTC(2049, 11, 31, 23, 59, 59) / 1000,
    );
    expect(readTime(one(`170d${Buffer.from('500101000000Z').toString('hex')}`), 't')).toBe(Date.UTC(1950, 0, 1) / 1000);
  });

  it('every single-byte change of a signed chain ends typed and is never accepted', () => {
    const codes = new Map<string, number>();
    for (let i = 0; i < leaf.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const bad = leaf.slice();
        bad[i] ^= flip;
        const code = codeOf(() => verifyChain([bad, pki.orgCa.der], anchors, { profile: 'smki', crypto }));
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    expect([...codes.keys()].every((c) => c.startsWith('PKI_'))).toBe(true);
    expect(codes.get('PKI_SIGNATURE_INVALID')).toBeGreaterThan(0);
    expect(codes.get('PKI_DER_TRUNCATED')).toBeGreaterThan(0);
  });
});

describe('hostile trust store encodings', () => {
  const good = encodeTrustStore(pki.trustStore);
  it('truncations, trailing bytes and non-canonical CBOR → typed codes', () => {
    for (let n = 0; n < good.length; n += 7)
      expect(codeOf(() => decodeTrustStore(good.subarray(0, n)))).toMatch(/^(CBOR_|PKI_)/);
    expect(codeOf(() => decodeTrustStore(concatBytes(good, Uint8Array.of(0))))).toBe('CBOR_TRAILING_BYTES');
  });

  it('a wrong version, an unknown key, an unknown cell, a bad certificate → PKI_TRUST_STORE_* codes', () => {
    const store = (entries: [number, unknown][]) => encodeCbor(new Map(entries) as never);
    const cells = new Map([[0, pki.smkiRoot.der]]);
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 2],
            [1, pki.manufacturerRoot.der],
            [2, cells],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_VERSION');
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 1],
            [1, pki.manufacturerRoot.der],
            [2, cells],
            [3, 0],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_MALFORMED');
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 1],
            [1, pki.manufacturerRoot.der],
            [2, new Map([[4, pki.smkiRoot.der]])],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_UNKNOWN_CELL');
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 1],
            [1, pki.manufacturerRoot.der.subarray(1)],
            [2, cells],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_BAD_CERTIFICATE');
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 1],
            [1, 'text'],
            [2, cells],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_MALFORMED');
    expect(
      codeOf(() =>
        decodeTrustStore(
          store([
            [0, 1],
            [1, pki.manufacturerRoot.der],
          ]),
        ),
      ),
    ).toBe('PKI_TRUST_STORE_MALFORMED');
  });
});
