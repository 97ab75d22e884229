/**
 * RFC 5280 §6.1 basic path validation as restricted here: each rule broken once gives
 * its code, under the rfc5280 profile; the unbroken chains validate.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../device/pki/index.js';
import { Oid } from '../../device/pki/oids.js';
import { encodeName, ext, type ExtensionSpec } from '../../tools/pki/cert-builder.js';
import { deriveKey } from '../../tools/pki/test-pki.js';
import { codeOf, crypto } from './crypto.js';
import { rfcChain, type ChainUnderTest } from './fixtures.js';

const rfc = (c: ChainUnderTest) => verifyChain(c.chain, c.anchors, { profile: 'rfc5280', crypto });
const without = (o: string) => (d: ExtensionSpec[]) => d.filter((e) => e.oid !== o);
const replacing = (o: string, e: ExtensionSpec) => (d: ExtensionSpec[]) => d.map((x) => (x.oid === o ? e : x));
const stranger = deriveKey('profile tests', 'stranger');

describe('RFC 5280 path validation', () => {
  it('root → CA → signer validates; so does root → CA(pathLen 1) → CA → signer', () => {
    expect(rfc(rfcChain()).anchorIndex).toBe(0);
    expect(rfc(rfcChain({ cas: [{ pathLen: 1 }, {}] })).leafPublicKey.length).toBe(65);
  });

  it('signer directly under the anchor validates (chain of one)', () => {
    expect(rfc(rfcChain({ cas: [] })).anchorIndex).toBe(0);
  });

  it('name chaining: a leaf naming another issuer → PKI_NO_PATH', () => {
    const c = rfcChain({ leaf: { issuerName: encodeName([{ oid: Oid.commonName, value: 'someone else' }]) } });
    expect(codeOf(() => rfc(c))).toBe('PKI_NO_PATH');
  });

  it("name chaining: no anchor of the top certificate's issuer name → PKI_NO_PATH", () => {
    const c = rfcChain();
    const other = rfcChain({ root: { subject: encodeName([{ oid: Oid.commonName, value: 'Other Root' }]) } });
    expect(codeOf(() => verifyChain(c.chain, other.anchors, { profile: 'rfc5280', crypto }))).toBe('PKI_NO_PATH');
  });

  it("signature: leaf signed by a key that is not its issuer's → PKI_SIGNATURE_INVALID", () => {
    expect(codeOf(() => rfc(rfcChain({ leaf: { signerKey: stranger.privateKey } })))).toBe('PKI_SIGNATURE_INVALID');
  });

  it("signature: intermediate signed by a key that is not the anchor's → PKI_SIGNATURE_INVALID", () => {
    expect(codeOf(() => rfc(rfcChain({ cas: [{ change: { signerKey: stranger.privateKey } }] })))).toBe(
      'PKI_SIGNATURE_INVALID',
    );
  });

  it('signature: one TBS byte changed after signing → PKI_SIGNATURE_INVALID', () => {
    const c = rfcChain({
      leaf: {
        post: (der) => {
          const out = der.slice();
          out[15] ^= 0x01; // inside the serial number
          return out;
        },
      },
    });
    expect(codeOf(() => rfc(c))).toBe('PKI_SIGNATURE_INVALID');
  });

  it('anchors: the one that signed is found among several and its index returned', () => {
    const c = rfcChain();
    const decoyRoot = rfcChain({ root: { signerKey: stranger.privateKey, publicKey: stranger.publicKey } }).anchors[0];
    const r = verifyChain(c.chain, [decoyRoot, ...c.anchors], { profile: 'rfc5280', crypto });
    expect(r.anchorIndex).toBe(1);
    expect(codeOf(() => verifyChain(c.chain, [decoyRoot], { profile: 'rfc5280', crypto }))).toBe(
      'PKI_SIGNATURE_INVALID',
    );
  });

  it('basicConstraints: intermediate without it → PKI_BASIC_CONSTRAINTS', () => {
    expect(codeOf(() => rfc(rfcChain({ cas: [{ change: { extensions: without(Oid.basicConstraints) } }] })))).toBe(
      'PKI_BASIC_CONSTRAINTS',
    );
  });

  it('basicConstraints: intermediate with cA absent (FALSE) → PKI_BASIC_CONSTRAINTS', () => {
    expect(
      codeOf(() =>
        rfc(
          rfcChain({ cas: [{ change: { extensions: replacing(Oid.basicConstraints, ext.basicConstraints(false)) } }] }),
        ),
      ),
    ).toBe('PKI_BASIC_CONSTRAINTS');
  });

  it('pathLenConstraint 0 on the upper of two intermediates → PKI_PATH_LENGTH', () => {
    expect(codeOf(() => rfc(rfcChain({ cas: [{ pathLen: 0 }, {}] })))).toBe('PKI_PATH_LENGTH');
  });

  it('pathLenConstraint 0 on the lowest intermediate is fine (the leaf does not count)', () => {
    expect(rfc(rfcChain({ cas: [{ pathLen: 1 }, { pathLen: 0 }] })).anchorIndex).toBe(0);
  });

  it('keyUsage on an intermediate without keyCertSign → PKI_KEY_USAGE', () => {
    expect(
      codeOf(() =>
        rfc(
          rfcChain({
            cas: [{ change: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['cRLSign', 'digitalSignature'])) } }],
          }),
        ),
      ),
    ).toBe('PKI_KEY_USAGE');
  });

  it('keyUsage absent on an intermediate is allowed by RFC 5280', () => {
    expect(rfc(rfcChain({ cas: [{ change: { extensions: without(Oid.keyUsage) } }] })).anchorIndex).toBe(0);
  });

  it('a signer whose keyUsage lacks digitalSignature → PKI_KEY_USAGE', () => {
    expect(
      codeOf(() => rfc(rfcChain({ leaf: { extensions: replacing(Oid.keyUsage, ext.keyUsage(['keyAgreement'])) } }))),
    ).toBe('PKI_KEY_USAGE');
  });

  it('an unknown critical extension → PKI_UNKNOWN_CRITICAL_EXTENSION; the same one non-critical is ignored', () => {
    const unknown = (critical: boolean) => (d: ExtensionSpec[]) => [
      ...d,
      ext.raw('1.3.6.1.4.1.99999.1', critical, Uint8Array.of(5, 0)),
    ];
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: unknown(true) } })))).toBe('PKI_UNKNOWN_CRITICAL_EXTENSION');
    expect(codeOf(() => rfc(rfcChain({ cas: [{ change: { extensions: unknown(true) } }] })))).toBe(
      'PKI_UNKNOWN_CRITICAL_EXTENSION',
    );
    expect(rfc(rfcChain({ leaf: { extensions: unknown(false) } })).anchorIndex).toBe(0);
  });

  it('a critical extKeyUsage or policyConstraints (not processed here) → PKI_UNKNOWN_CRITICAL_EXTENSION', () => {
    const eku = ext.raw(
      Oid.extKeyUsage,
      true,
      Uint8Array.of(0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03),
    );
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: (d) => [...d, eku] } })))).toBe(
      'PKI_UNKNOWN_CRITICAL_EXTENSION',
    );
    const policyConstraints = ext.raw('2.5.29.36', true, Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x00));
    expect(codeOf(() => rfc(rfcChain({ cas: [{ change: { extensions: (d) => [...d, policyConstraints] } }] })))).toBe(
      'PKI_UNKNOWN_CRITICAL_EXTENSION',
    );
  });

  it('nameConstraints anywhere in the chain → PKI_NAME_CONSTRAINTS_UNSUPPORTED', () => {
    expect(
      codeOf(() =>
        rfc(rfcChain({ cas: [{ change: { extensions: (d) => [...d, ext.nameConstraints('example.com')] } }] })),
      ),
    ).toBe('PKI_NAME_CONSTRAINTS_UNSUPPORTED');
  });

  it('more than MAX_CHAIN_LENGTH certificates → PKI_CHAIN_TOO_LONG', () => {
    expect(codeOf(() => rfc(rfcChain({ cas: [{ pathLen: 5 }, {}, {}, {}] })))).toBe('PKI_CHAIN_TOO_LONG');
  });

  it('an X.509 v1 (or v2) certificate → PKI_CERT_VERSION', () => {
    expect(codeOf(() => rfc(rfcChain({ leaf: { version: 1 } })))).toBe('PKI_CERT_VERSION');
    expect(codeOf(() => rfc(rfcChain({ leaf: { version: 0 } })))).toBe('PKI_CERT_VERSION');
  });

  it('extension values that are not DER → PKI_EXTENSION_MALFORMED', () => {
    const ku = (hex: string) => ext.raw(Oid.keyUsage, true, Uint8Array.from(Buffer.from(hex, 'hex')));
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: replacing(Oid.keyUsage, ku('03020080')) } })))).toBe(
      'PKI_EXTENSION_MALFORMED',
    ); // trailing zero bits kept
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: replacing(Oid.keyUsage, ku('0303070000')) } })))).toBe(
      'PKI_EXTENSION_MALFORMED',
    );
    const badQualifier = ext.raw(
      Oid.certificatePolicies,
      false,
      Uint8Array.from(Buffer.from('300a3008060228033002300a', 'hex')),
    );
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: (d) => [...d, badQualifier] } })))).toBe(
      'PKI_EXTENSION_MALFORMED',
    );
    const bcFalse = ext.raw(Oid.basicConstraints, true, Uint8Array.from(Buffer.from('3003010100', 'hex')));
    expect(codeOf(() => rfc(rfcChain({ leaf: { extensions: (d) => [...d, bcFalse] } })))).toBe(
      'PKI_EXTENSION_MALFORMED',
    );
  });

  it('the same extension twice → PKI_DUPLICATE_EXTENSION', () => {
    expect(
      codeOf(() => rfc(rfcChain({ leaf: { extensions: (d) => [...d, ext.keyUsage(['digitalSignature'])] } }))),
    ).toBe('PKI_DUPLICATE_EXTENSION');
  });

  it('an empty chain, no anchors, or a bad profile name are refused with codes', () => {
    const c = rfcChain();
    expect(codeOf(() => verifyChain([], c.anchors, { profile: 'rfc5280', crypto }))).toBe('PKI_NO_PATH');
    expect(codeOf(() => verifyChain(c.chain, [], { profile: 'rfc5280', crypto }))).toBe('PKI_NO_PATH');
    expect(codeOf(() => verifyChain(c.chain, c.anchors, { profile: 'x509' as 'smki', crypto }))).toBe('PKI_BAD_INPUT');
  });

  it('a throwing P256Verifier port counts as an invalid signature', () => {
    const c = rfcChain();
    const throwing = {
      sha256: crypto.sha256,
      p256: {
        verify: () => {
          throw new Error('hardware fault');
        },
      },
    };
    expect(codeOf(() => verifyChain(c.chain, c.anchors, { profile: 'rfc5280', crypto: throwing }))).toBe(
      'PKI_SIGNATURE_INVALID',
    );
  });
});

describe('certificate policies, when the caller names the accepted ones', () => {
  const P1 = '1.2.826.0.1.8641679.1.2.1.4';
  const P2 = '1.2.826.0.1.8641679.1.2.1.5';
  const withPolicies = (ca: string[], leaf: string[]) =>
    rfcChain({
      cas: [{ change: { extensions: (d) => [...d, ext.policies(ca, false)] } }],
      leaf: { extensions: (d) => [...d, ext.policies(leaf, false)] },
    });
  const run = (c: ChainUnderTest, acceptedPolicies?: string[]) =>
    verifyChain(c.chain, c.anchors, { profile: 'rfc5280', crypto, ...(acceptedPolicies ? { acceptedPolicies } : {}) });

  it('a policy asserted all the way down is accepted; anyPolicy on the CA passes it through', () => {
    expect(run(withPolicies([P1], [P1]), [P1]).anchorIndex).toBe(0);
    expect(run(withPolicies([Oid.anyPolicy], [P1]), [P1]).anchorIndex).toBe(0);
  });

  it('a policy the caller does not accept → PKI_POLICY_NOT_ACCEPTED', () => {
    expect(codeOf(() => run(withPolicies([P1], [P1]), [P2]))).toBe('PKI_POLICY_NOT_ACCEPTED');
  });

  it('accepted policies that do not run through the same path → PKI_POLICY_NOT_ACCEPTED', () => {
    expect(codeOf(() => run(withPolicies([P1], [P2]), [P1, P2]))).toBe('PKI_POLICY_NOT_ACCEPTED');
  });

  it('a chain without policies: refused when policies are asked for, accepted when they are not', () => {
    expect(codeOf(() => run(rfcChain(), [P1]))).toBe('PKI_POLICY_NOT_ACCEPTED');
    expect(run(rfcChain()).anchorIndex).toBe(0);
  });
});

describe('validity times', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  const c = rfcChain({ leaf: { notBefore: at('2025-01-01T00:00:00Z'), notAfter: at('2026-01-01T00:00:00Z') } });
  const run = (now?: { unixSeconds: number; trusted: boolean }) =>
    verifyChain(c.chain, c.anchors, { profile: 'rfc5280', crypto, ...(now ? { now } : {}) });

  it('trusted time inside the window: valid and timeChecked', () => {
    expect(run({ unixSeconds: at('2025-06-01T00:00:00Z'), trusted: true }).timeChecked).toBe(true);
  });

  it('trusted time after notAfter → PKI_EXPIRED; before notBefore → PKI_NOT_YET_VALID', () => {
    expect(codeOf(() => run({ unixSeconds: at('2026-01-01T00:00:01Z'), trusted: true }))).toBe('PKI_EXPIRED');
    expect(codeOf(() => run({ unixSeconds: at('2024-12-31T23:59:59Z'), trusted: true }))).toBe('PKI_NOT_YET_VALID');
  });

  it('the bounds themselves are inside the window', () => {
    expect(run({ unixSeconds: at('2026-01-01T00:00:00Z'), trusted: true }).timeChecked).toBe(true);
    expect(run({ unixSeconds: at('2025-01-01T00:00:00Z'), trusted: true }).timeChecked).toBe(true);
  });

  it('an untrusted time is not used: valid, timeChecked false', () => {
    expect(run({ unixSeconds: at('2030-01-01T00:00:00Z'), trusted: false }).timeChecked).toBe(false);
  });

  it('no time at all: valid, timeChecked false', () => {
    expect(run().timeChecked).toBe(false);
  });

  it('an expired intermediate is found too', () => {
    const old = rfcChain({ cas: [{ change: { notAfter: at('2024-06-01T00:00:00Z') } }] });
    expect(
      codeOf(() =>
        verifyChain(old.chain, old.anchors, {
          profile: 'rfc5280',
          crypto,
          now: { unixSeconds: at('2025-01-01T00:00:00Z'), trusted: true },
        }),
      ),
    ).toBe('PKI_EXPIRED');
  });

  it('GeneralizedTime after 2049 (99991231235959Z, as on SMKI device certificates) parses and compares', () => {
    const far = rfcChain({ leaf: { notAfter: at('9999-12-31T23:59:59Z') } });
    const r = verifyChain(far.chain, far.anchors, {
      profile: 'rfc5280',
      crypto,
      now: { unixSeconds: at('2030-01-01T00:00:00Z'), trusted: true },
    });
    expect(r.timeChecked).toBe(true);
  });
});
