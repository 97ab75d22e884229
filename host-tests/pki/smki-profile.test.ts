/**
 * The SMKI profile: a conforming Root → Organisation CA → Supplier chain validates, and
 * each SMKI rule broken once gives its own PKI_PROFILE_SMKI_* code. The same broken
 * chains pass the plain RFC 5280 profile where the rule is SMKI's alone, which shows the
 * code comes from the profile and not from something else being wrong.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../device/pki/index.js';
import { Oid } from '../../device/pki/oids.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { children, readRoot } from '../../device/pki/der.js';
import { concatBytes, toHex } from '../../device/util/bytes.js';
import { encodeName, ext, smkiName, type ExtensionSpec } from '../../tools/pki/cert-builder.js';
import { bitString, ctx, integer, oid, seq, tlv } from '../../tools/pki/der-encode.js';
import { SUPPLIER1_ENTITY_ID } from '../../tools/pki/test-pki.js';
import { codeOf, crypto } from './crypto.js';
import { smkiChain, type Change, type ChainUnderTest } from './fixtures.js';

const smki = (c: ChainUnderTest, leafRole?: number) =>
  verifyChain(c.chain, c.anchors, { profile: 'smki', crypto, ...(leafRole !== undefined ? { leafRole } : {}) });
const rfc = (c: ChainUnderTest) => verifyChain(c.chain, c.anchors, { profile: 'rfc5280', crypto });

const without = (o: string) => (d: ExtensionSpec[]) => d.filter((e) => e.oid !== o);
const replacing = (o: string, e: ExtensionSpec) => (d: ExtensionSpec[]) => d.map((x) => (x.oid === o ? e : x));

describe('SMKI profile', () => {
  it('a conforming chain validates and reports the leaf role and entity id', () => {
    const r = smki(smkiChain(), SmkiRole.supplier);
    expect(r.leafRole).toBe(SmkiRole.supplier);
    expect(toHex(r.leafEntityId!)).toBe(toHex(SUPPLIER1_ENTITY_ID));
  });

  const smkiOnly: [string, { root?: Change; ca?: Change; leaf?: Change }, string][] = [
    [
      'leaf keyUsage not critical',
      { leaf: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['digitalSignature'], false)) } },
      'PKI_PROFILE_SMKI_KEY_USAGE',
    ],
    ['leaf keyUsage absent', { leaf: { extensions: without(Oid.keyUsage) } }, 'PKI_PROFILE_SMKI_KEY_USAGE'],
    [
      'leaf keyUsage digitalSignature + nonRepudiation',
      { leaf: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['digitalSignature', 'nonRepudiation'])) } },
      'PKI_PROFILE_SMKI_KEY_USAGE',
    ],
    [
      'CA keyUsage with digitalSignature as well',
      { ca: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['keyCertSign', 'digitalSignature'])) } },
      'PKI_PROFILE_SMKI_KEY_USAGE',
    ],
    [
      'Root keyUsage not critical',
      { root: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['keyCertSign'], false)) } },
      'PKI_PROFILE_SMKI_KEY_USAGE',
    ],
    [
      'leaf certificatePolicies not critical',
      { leaf: { extensions: replacing(Oid.certificatePolicies, ext.policies(['1.2.3'], false)) } },
      'PKI_PROFILE_SMKI_POLICIES',
    ],
    [
      'leaf certificatePolicies absent',
      { leaf: { extensions: without(Oid.certificatePolicies) } },
      'PKI_PROFILE_SMKI_POLICIES',
    ],
    [
      'CA certificatePolicies absent',
      { ca: { extensions: without(Oid.certificatePolicies) } },
      'PKI_PROFILE_SMKI_POLICIES',
    ],
    [
      'leaf subjectKeyIdentifier of 20 octets',
      { leaf: { extensions: replacing(Oid.subjectKeyIdentifier, ext.subjectKeyId(new Uint8Array(20).fill(7))) } },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      'leaf subjectKeyIdentifier absent',
      { leaf: { extensions: without(Oid.subjectKeyIdentifier) } },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      'leaf authorityKeyIdentifier absent',
      { leaf: { extensions: without(Oid.authorityKeyIdentifier) } },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      "leaf authorityKeyIdentifier not the issuer's key id",
      {
        leaf: {
          extensions: replacing(Oid.authorityKeyIdentifier, ext.authorityKeyId(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))),
        },
      },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      'leaf authorityKeyIdentifier with issuer and serial too',
      {
        leaf: {
          extensions: (d, _k, ikid) =>
            d.map((x) =>
              x.oid === Oid.authorityKeyIdentifier
                ? ext.raw(x.oid, false, seq(ctx(0, false, ikid), ctx(2, false, Uint8Array.of(1))))
                : x,
            ),
        },
      },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      'Root with an authorityKeyIdentifier',
      { root: { extensions: (d, kid) => [...d, ext.authorityKeyId(kid)] } },
      'PKI_PROFILE_SMKI_KEY_ID',
    ],
    [
      'leaf OU of one digit',
      {
        leaf: {
          subject: encodeName([
            { oid: Oid.organizationalUnitName, value: '2' },
            { oid: Oid.x500UniqueIdentifier, value: SUPPLIER1_ENTITY_ID },
          ]),
        },
      },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'leaf OU not hex',
      {
        leaf: {
          subject: encodeName([
            { oid: Oid.organizationalUnitName, value: 'XY' },
            { oid: Oid.x500UniqueIdentifier, value: SUPPLIER1_ENTITY_ID },
          ]),
        },
      },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'leaf without OU',
      { leaf: { subject: encodeName([{ oid: Oid.x500UniqueIdentifier, value: SUPPLIER1_ENTITY_ID }]) } },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'Root with role 02 instead of 00',
      { root: { subject: smkiName(SmkiRole.supplier, { cn: 'Root' }) } },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'Root that is not a CA',
      { root: { extensions: without(Oid.basicConstraints) } },
      'PKI_PROFILE_SMKI_BASIC_CONSTRAINTS',
    ],
    [
      'CA with role 02 instead of 07',
      { ca: { subject: smkiName(SmkiRole.supplier, { cn: 'Z1' }) } },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'leaf entity id of 7 octets',
      { leaf: { subject: smkiName(SmkiRole.supplier, { entityId: SUPPLIER1_ENTITY_ID.subarray(1) }) } },
      'PKI_PROFILE_SMKI_ENTITY_ID',
    ],
    [
      'leaf entity id as text, not a BIT STRING',
      {
        leaf: {
          subject: encodeName([
            { oid: Oid.organizationalUnitName, value: '02' },
            { oid: Oid.x500UniqueIdentifier, value: '90B3D51F30010000' },
          ]),
        },
      },
      'PKI_PROFILE_SMKI_ENTITY_ID',
    ],
    [
      'leaf without entity id',
      { leaf: { subject: smkiName(SmkiRole.supplier, { cn: 'Supplier' }) } },
      'PKI_PROFILE_SMKI_ENTITY_ID',
    ],
    [
      'leaf that is also a CA',
      { leaf: { extensions: (d) => [ext.basicConstraints(true), ...d] } },
      'PKI_PROFILE_SMKI_BASIC_CONSTRAINTS',
    ],
  ];
  for (const [what, changes, code] of smkiOnly) {
    it(`${what} → ${code} (and passes RFC 5280)`, () => {
      const c = smkiChain(changes);
      expect(codeOf(() => smki(c))).toBe(code);
      expect(rfc(c).anchorIndex).toBe(0);
    });
  }

  it('a leaf with another role than the one asked for → PKI_PROFILE_SMKI_ROLE', () => {
    expect(codeOf(() => smki(smkiChain(), SmkiRole.networkOperator))).toBe('PKI_PROFILE_SMKI_ROLE');
  });
});

describe('algorithms outside P-256 / ecdsa-with-SHA256 (both profiles)', () => {
  const cases: [string, Change, string][] = [
    [
      'signature ecdsa-with-SHA384',
      { signatureAlgorithm: seq(oid('1.2.840.10045.4.3.3')) },
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
    [
      'signature ecdsa-with-SHA256 with NULL parameters',
      { signatureAlgorithm: seq(oid(Oid.ecdsaWithSha256), Uint8Array.of(5, 0)) },
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
    [
      'a P-384 subject key',
      {
        post: (der) =>
          swapSpki(
            der,
            seq(
              seq(oid(Oid.ecPublicKey), oid('1.3.132.0.34')),
              bitString(Uint8Array.of(4, ...new Uint8Array(96).fill(1))),
            ),
          ),
      },
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
    [
      'a compressed P-256 subject key',
      {
        post: (der) =>
          swapSpki(
            der,
            seq(
              seq(oid(Oid.ecPublicKey), oid(Oid.prime256v1)),
              bitString(Uint8Array.of(2, ...new Uint8Array(32).fill(1))),
            ),
          ),
      },
      'PKI_UNSUPPORTED_KEY',
    ],
    [
      'an RSA subject key',
      {
        post: (der) =>
          swapSpki(
            der,
            seq(seq(oid('1.2.840.113549.1.1.1'), Uint8Array.of(5, 0)), bitString(seq(integer(65537), integer(3)))),
          ),
      },
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
  ];
  for (const [what, change, code] of cases) {
    it(`${what} → ${code}`, () => {
      const c = smkiChain({ leaf: change });
      expect(codeOf(() => smki(c))).toBe(code);
      expect(codeOf(() => rfc(c))).toBe(code);
    });
  }
});

/** Replaces the subjectPublicKeyInfo of a certificate (the signature then fails, but parsing refuses the key first). */
function swapSpki(der: Uint8Array, spki: Uint8Array): Uint8Array {
  const top = children(readRoot(der));
  const tbs = children(top[0]);
  const parts = tbs.map((n) => n.bytes.subarray(n.start, n.end));
  parts[6] = spki;
  const newTbs = tlv(0x30, concatBytes(...parts));
  return tlv(0x30, concatBytes(newTbs, der.subarray(top[1].start, top[2].end)));
}
