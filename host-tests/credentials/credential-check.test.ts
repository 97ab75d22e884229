/**
 * The replacement command checked against the credentials in force (device/pki
 * credential-check.ts): who may replace what, replay and rollback, the new certificate's
 * profile and path, and the CS02b answer each refusal gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANCHOR_CELLS } from '../../device/pki/api.js';
import { authorisationMatrixMarkdown, mayReplace } from '../../device/pki/credential-authority.js';
import { checkCredentialCommand, type CredentialCheckContext } from '../../device/pki/credential-check.js';
import {
  decodeCredentialCommand,
  encodeCredentialBody,
  encodeCredentialCommand,
} from '../../device/pki/credential-command.js';
import { CredentialError, Cs02bCode, cs02bCode, CS02B_FOR } from '../../device/pki/credential-errors.js';
import { Oid } from '../../device/pki/oids.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { decodeTrustStore, encodeTrustStore } from '../../device/pki/trust-store.js';
import { children, readRoot } from '../../device/pki/der.js';
import { concatBytes, fromHex } from '../../device/util/bytes.js';
import { decodeCbor, encodeCbor, type CborMap } from '../../device/util/cbor.js';
import { bitString, oid, seq, tlv } from '../../tools/pki/der-encode.js';
import { ext, signTbs, smkiName } from '../../tools/pki/cert-builder.js';
import { issue, NOT_AFTER } from '../pki/fixtures.js';
import { cellKey, command, crypto, fullStore, organisationCert, pki, STRANGER } from './credential-fixture.js';

const ctx = (over: Partial<CredentialCheckContext> = {}): CredentialCheckContext => ({
  store: fullStore(),
  crypto,
  ...over,
});

/** The CRED_* code a check throws, or 'OK'. */
function codeOf(bytes: Uint8Array, c: CredentialCheckContext = ctx()): string {
  try {
    checkCredentialCommand(bytes, c);
    return 'OK';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe('who may replace which cell (the authorisation matrix)', () => {
  const newSupplier = organisationCert('Supplier 3');
  it('Recovery replaces a Supplier cell: the new set has the new certificate and the counter; the other cells are untouched', () => {
    const before = fullStore();
    const r = checkCredentialCommand(command('supplier1', 'recovery', 7, newSupplier.der), ctx({ store: before }));
    expect(r.next.cells.supplier1).toEqual(newSupplier.der);
    expect(r.next.counter).toBe(7);
    for (const cell of ['root', 'recovery', 'supplier2'] as const)
      expect(r.next.cells[cell]).toEqual(before.cells[cell]);
    expect(before.cells.supplier1).toEqual(pki().supplier1.der); // the store in force is not changed by a check
  });

  it('a Supplier hands its own cell on (supplier-by-supplier)', () => {
    expect(codeOf(command('supplier1', 'supplier1', 1, newSupplier.der))).toBe('OK');
    expect(codeOf(command('supplier2', 'supplier2', 1, newSupplier.der))).toBe('OK');
  });

  it("split supply: a Supplier may not replace the other Supplier's cell → 10", () => {
    expect(codeOf(command('supplier1', 'supplier2', 1, newSupplier.der))).toBe(CredentialError.notAuthorised);
    expect(codeOf(command('supplier2', 'supplier1', 1, newSupplier.der))).toBe(CredentialError.notAuthorised);
    expect(cs02bCode(CredentialError.notAuthorised)).toBe(10);
  });

  it('a Supplier may not replace Recovery or the Root; the Root authorises nothing', () => {
    const recovery2 = organisationCert('Recovery 2', { role: SmkiRole.recovery });
    expect(codeOf(command('recovery', 'supplier1', 1, recovery2.der))).toBe(CredentialError.notAuthorised);
    expect(codeOf(command('root', 'supplier1', 1, pki().smkiRoot.der, { path: [] }))).toBe(
      CredentialError.notAuthorised,
    );
    expect(codeOf(command('supplier1', 'root', 1, newSupplier.der))).toBe(CredentialError.notAuthorised);
    expect(codeOf(command('recovery', 'recovery', 1, recovery2.der))).toBe('OK');
  });

  it('an unauthorised party (a key in no cell) signing as Recovery → 10, whatever it carries', () => {
    const c = command('supplier1', 'recovery', 9, newSupplier.der, { signer: STRANGER });
    expect(codeOf(c)).toBe(CredentialError.signature);
    expect(cs02bCode(CredentialError.signature)).toBe(10);
    // A Supplier's key claiming to be Recovery is no better.
    expect(codeOf(command('supplier2', 'recovery', 9, newSupplier.der, { signer: cellKey('supplier1') }))).toBe(
      CredentialError.signature,
    );
  });

  it('an authority whose cell is empty → 10', () => {
    const store = fullStore();
    delete store.cells.recovery;
    expect(codeOf(command('supplier1', 'recovery', 1, newSupplier.der), ctx({ store }))).toBe(
      CredentialError.authorityAbsent,
    );
  });

  it('an authority whose own certificate has expired at a trusted time → 10', () => {
    const at = { unixSeconds: Date.UTC(2051, 0, 1) / 1000, trusted: true };
    expect(codeOf(command('supplier1', 'recovery', 1, newSupplier.der), ctx({ now: at }))).toBe(
      CredentialError.authorityInvalid,
    );
  });

  it('docs/PKI.md carries the matrix exactly as the table in credential-authority.ts', () => {
    const doc = readFileSync(new URL('../../docs/PKI.md', import.meta.url), 'utf8');
    expect(doc).toContain(authorisationMatrixMarkdown(ANCHOR_CELLS));
    expect(mayReplace('recovery', 'root')).toBe(true);
  });
});

describe('the counter only increases', () => {
  const newSupplier = organisationCert('Supplier 3');
  it('a replayed command (the counter in force) → 127; a lower counter → 127; a higher one is applied', () => {
    const first = command('supplier1', 'recovery', 100, newSupplier.der);
    const applied = checkCredentialCommand(first, ctx()).next;
    expect(codeOf(first, ctx({ store: applied }))).toBe(CredentialError.replayed);
    const older = command('supplier1', 'recovery', 99, pki().supplier1.der);
    expect(codeOf(older, ctx({ store: applied }))).toBe(CredentialError.counterLower);
    expect([cs02bCode(CredentialError.replayed), cs02bCode(CredentialError.counterLower)]).toEqual([127, 127]);
    // Handing the cell back to the old certificate takes a new, higher counter.
    expect(
      checkCredentialCommand(command('supplier1', 'recovery', 101, pki().supplier1.der), ctx({ store: applied })).next
        .counter,
    ).toBe(101);
  });

  it('the counter travels with the cells in the store encoding (one record)', () => {
    const next = checkCredentialCommand(command('supplier1', 'recovery', 2 ** 40, newSupplier.der), ctx()).next;
    const back = decodeTrustStore(encodeTrustStore(next));
    expect(back.counter).toBe(2 ** 40);
    expect(back.cells.supplier1).toEqual(newSupplier.der);
    expect(decodeTrustStore(encodeTrustStore(fullStore())).counter).toBeUndefined();
  });
});

describe("the new certificate must pass the cell's profile → 5", () => {
  const cases: [string, Parameters<typeof organisationCert>[1], string][] = [
    [
      'keyAgreement instead of digitalSignature',
      { change: { extensions: (d) => [ext.keyUsage(['keyAgreement']), ...d.slice(1)] } },
      'PKI_PROFILE_SMKI_KEY_USAGE',
    ],
    [
      'non-critical certificatePolicies',
      { change: { extensions: (d) => [d[0], ext.policies(['1.2.826.0.1.8641679.1.2.1.4'], false), ...d.slice(2)] } },
      'PKI_PROFILE_SMKI_POLICIES',
    ],
    [
      'the wrong role (a Network Operator, 03, for a Supplier cell)',
      { role: SmkiRole.networkOperator },
      'PKI_PROFILE_SMKI_ROLE',
    ],
    [
      'a P-384 key (the wrong curve), properly signed',
      {
        change: {
          post: (der) =>
            withSpki(
              der,
              seq(
                seq(oid(Oid.ecPublicKey), oid('1.3.132.0.34')),
                bitString(Uint8Array.of(4, ...new Uint8Array(96).fill(7))),
              ),
            ),
        },
      },
      'PKI_UNSUPPORTED_ALGORITHM',
    ],
  ];
  for (const [what, options, inner] of cases) {
    it(`${what} → CRED_BAD_CERTIFICATE (${inner})`, () => {
      const cert = organisationCert(`bad: ${what}`, options);
      try {
        checkCredentialCommand(command('supplier1', 'recovery', 1, cert.der), ctx());
        expect.unreachable('accepted');
      } catch (e) {
        expect((e as { code: string }).code).toBe(CredentialError.badCertificate);
        expect((e as Error).message).toContain(inner);
      }
      expect(cs02bCode(CredentialError.badCertificate)).toBe(5);
    });
  }

  it('expired at a trusted time → 5; with no trusted time validity is not checked', () => {
    const expired = organisationCert('expired supplier', { change: { notAfter: Date.UTC(2025, 0, 1) / 1000 } });
    const trusted = { unixSeconds: Date.UTC(2026, 5, 1) / 1000, trusted: true };
    expect(codeOf(command('supplier1', 'recovery', 1, expired.der), ctx({ now: trusted }))).toBe(
      CredentialError.badCertificate,
    );
    expect(codeOf(command('supplier1', 'recovery', 1, expired.der), ctx({ now: { ...trusted, trusted: false } }))).toBe(
      'OK',
    );
    expect(codeOf(command('supplier1', 'recovery', 1, organisationCert('Supplier 3').der), ctx({ now: trusted }))).toBe(
      'OK',
    );
  });

  it('a Supplier certificate for the Recovery cell → 5 (role 02 is not 01)', () => {
    expect(codeOf(command('recovery', 'recovery', 1, organisationCert('Supplier 3').der))).toBe(
      CredentialError.badCertificate,
    );
  });
});

describe('the new certificate must chain to the Root in force → 5 / 10', () => {
  it('no path given (the Org CA left out) → CRED_BAD_PATH', () => {
    expect(codeOf(command('supplier1', 'recovery', 1, organisationCert('Supplier 3').der, { path: [] }))).toBe(
      CredentialError.badPath,
    );
  });

  it('a certificate issued by a CA under another Root → CRED_BAD_PATH', () => {
    const otherRoot = issue('other root', smkiName(SmkiRole.root, { cn: 'Root' }), undefined, (kid) => [
      ext.basicConstraints(true),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
      ext.subjectKeyId(kid),
    ]);
    const otherCa = issue('other ca', smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' }), otherRoot, (kid, ikid) => [
      ext.basicConstraints(true, 0),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(ikid),
    ]);
    const leaf = issue(
      'other supplier',
      smkiName(SmkiRole.supplier, { entityId: fromHex('90b3d51f30040000'), cn: 'S4' }),
      otherCa,
      (kid, ikid) => [
        ext.keyUsage(['digitalSignature']),
        ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
        ext.subjectKeyId(kid),
        ext.authorityKeyId(ikid),
      ],
    );
    expect(codeOf(command('supplier1', 'recovery', 1, leaf.der, { path: [otherCa.der] }))).toBe(
      CredentialError.badPath,
    );
  });

  it('a certificate whose signature does not verify under the Org CA → CRED_BAD_PATH', () => {
    const forged = organisationCert('forged', { change: { signerKey: STRANGER.privateKey } });
    expect(codeOf(command('supplier1', 'recovery', 1, forged.der))).toBe(CredentialError.badPath);
  });

  it('no Root cell in force → 10', () => {
    const store = fullStore();
    delete store.cells.root;
    expect(codeOf(command('supplier1', 'recovery', 1, organisationCert('Supplier 3').der), ctx({ store }))).toBe(
      CredentialError.noRoot,
    );
    expect(cs02bCode(CredentialError.noRoot)).toBe(10);
  });

  it('root-by-recovery: a new self-signed Root replaces the Root; with a path, or not self-signed → refused', () => {
    const newRoot = issue('new root', smkiName(SmkiRole.root, { cn: 'Root 2' }), undefined, (kid) => [
      ext.basicConstraints(true),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
      ext.subjectKeyId(kid),
    ]);
    const r = checkCredentialCommand(command('root', 'recovery', 5, newRoot.der, { path: [] }), ctx());
    expect(r.next.cells.root).toEqual(newRoot.der);
    expect(codeOf(command('root', 'recovery', 5, newRoot.der, { path: [pki().orgCa.der] }))).toBe(
      CredentialError.badPath,
    );
    const notSelfSigned = issue(
      'new root, bad signature',
      smkiName(SmkiRole.root, { cn: 'Root 3' }),
      undefined,
      (kid) => [
        ext.basicConstraints(true),
        ext.keyUsage(['keyCertSign', 'cRLSign']),
        ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
        ext.subjectKeyId(kid),
      ],
      { signerKey: STRANGER.privateKey, notAfter: NOT_AFTER },
    );
    expect(codeOf(command('root', 'recovery', 5, notSelfSigned.der, { path: [] }))).toBe(
      CredentialError.badCertificate,
    );
    // A Supplier certificate is no Root.
    expect(codeOf(command('root', 'recovery', 5, organisationCert('Supplier 3').der, { path: [] }))).toBe(
      CredentialError.badCertificate,
    );
  });
});

describe('the command itself', () => {
  const cert = organisationCert('Supplier 3').der;
  it('garbage, a truncated command, a non-deterministic one → 127; an unknown cell → 25', () => {
    const good = command('supplier1', 'recovery', 1, cert);
    expect(codeOf(Uint8Array.of(1, 2, 3))).toBe(CredentialError.malformed);
    expect(codeOf(good.subarray(0, good.length - 1))).toBe(CredentialError.malformed);
    const { body, signature } = decodeCredentialCommand(good);
    // The same map with a non-shortest integer head for key 1 is not deterministic CBOR.
    const padded = concatBytes(Uint8Array.of(0xa2, 0x18, 0x01), good.subarray(2));
    expect(codeOf(padded)).toBe(CredentialError.malformed);
    const withField = (key: number, value: number) => {
      const m = decodeCbor(body, { maxDepth: 2 }) as CborMap;
      m.set(key, value);
      return encodeCbor(m);
    };
    const unknownCell = withField(2, 9);
    expect(codeOf(encodeCredentialCommand(unknownCell, signature))).toBe(CredentialError.unknownCell);
    expect(cs02bCode(CredentialError.unknownCell)).toBe(25);
    const v2 = withField(1, 2);
    expect(codeOf(encodeCredentialCommand(v2, signature))).toBe(CredentialError.version);
  });

  it('a body changed after signing (another cell named) → 10', () => {
    const good = command('supplier1', 'recovery', 1, cert);
    const { signature } = decodeCredentialCommand(good);
    const other = encodeCredentialBody({
      cell: 'supplier2',
      authority: 'recovery',
      counter: 1,
      certificate: cert,
      path: [pki().orgCa.der],
    });
    expect(codeOf(encodeCredentialCommand(other, signature))).toBe(CredentialError.signature);
  });

  it('a device with an EUI-64 takes only commands that name it', () => {
    const me = fromHex('0011223344556677');
    expect(codeOf(command('supplier1', 'recovery', 1, cert, { target: me }), ctx({ deviceId: me }))).toBe('OK');
    expect(
      codeOf(command('supplier1', 'recovery', 1, cert, { target: fromHex('0011223344556678') }), ctx({ deviceId: me })),
    ).toBe(CredentialError.wrongDevice);
    expect(codeOf(command('supplier1', 'recovery', 1, cert), ctx({ deviceId: me }))).toBe(CredentialError.wrongDevice);
  });

  it('every refusal code has its CS02b answer, and the answers are exactly 5, 10, 17, 25, 30 and 127', () => {
    for (const code of Object.values(CredentialError)) expect(CS02B_FOR[code], code).toBeDefined();
    expect(new Set(Object.values(CS02B_FOR))).toEqual(new Set([5, 10, 17, 25, 30, 127]));
    expect(Cs02bCode.success).toBe(0);
    expect(cs02bCode('SOMETHING_ELSE')).toBe(127);
  });
});

/** `der` with its subjectPublicKeyInfo replaced and signed again by the Org CA: a real certificate with another key. */
function withSpki(der: Uint8Array, spki: Uint8Array): Uint8Array {
  const top = children(readRoot(der));
  const tbs = children(top[0]);
  const parts = tbs.map((n) => n.bytes.subarray(n.start, n.end));
  parts[6] = spki;
  return signTbs(tlv(0x30, concatBytes(...parts)), pki().orgCa.privateKey);
}
