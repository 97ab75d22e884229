/**
 * What a trust anchor cell may hold (docs/PKI.md "Cells"): each cell's certificate is
 * checked for its role and key usage when a store is built and again when the cell is
 * used to authorise an image, and for its validity whenever a trusted time is known.
 */
import { describe, expect, it } from 'vitest';
import { verifyImage } from '../../device/image/image-session.js';
import {
  checkCell,
  createTrustStore,
  replaceCell,
  SmkiRole,
  verifyChain,
  type TrustStore,
} from '../../device/pki/index.js';
import { ext, smkiName } from '../../tools/pki/cert-builder.js';
import { signDigestRaw } from '../../tools/pki/index.js';
import { SMKI_TEST_POLICY } from '../../tools/pki/test-pki.js';
import { options, signed, testPki } from '../image/signed-fixture.js';
import { codeOf, crypto } from './crypto.js';
import { issue, type Issued } from './fixtures.js';
import { type CellChange, supplierCell } from './supplier-cell.js';

const ENTITY = Uint8Array.from([0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x09, 0x00, 0x00]);
const AFTER_EXPIRY = { unixSeconds: Date.UTC(2031, 0, 1) / 1000, trusted: true };
const BEFORE_EXPIRY = { unixSeconds: Date.UTC(2029, 0, 1) / 1000, trusted: true };

/** A Supplier-cell certificate with one thing changed. */
const cell = (label: string, change: CellChange = {}): Issued => supplierCell(label, ENTITY, change);

const good = cell('cell-good');
const keyAgreement = cell('cell-ka', { usage: ['keyAgreement'] });
const networkOperator = cell('cell-03', { role: SmkiRole.networkOperator });
const expiring = cell('cell-expiring', { notAfter: Date.UTC(2030, 0, 1) / 1000 });

function refusalOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return {
      code: codeOf(() => {
        throw e;
      }),
      message: (e as Error).message,
    };
  }
  throw new Error('expected a refusal');
}

/** A store holding `cert` in supplier1 as an older device might have persisted it (not built by createTrustStore). */
function storeWith(cert: Issued): TrustStore {
  return { cells: { supplier1: cert.der }, manufacturerAnchor: testPki().trustStore.manufacturerAnchor };
}

/** An image authorised by `cert`'s key. */
function imageSignedBy(cert: Issued): Uint8Array {
  return signed({}, { supplier: (d) => signDigestRaw(cert.key.privateKey, d) }).file;
}

describe('Supplier cells', () => {
  const manufacturer = testPki().manufacturerRoot.der;

  it('a digitalSignature Organisation Certificate with role 02 is accepted and authorises its image', () => {
    const store = createTrustStore(manufacturer, { supplier1: good.der }, BEFORE_EXPIRY);
    expect(store.cells.supplier1).toEqual(good.der);
    const v = verifyImage(imageSignedBy(good), options({ trust: store, now: BEFORE_EXPIRY }));
    expect(v.supplierCell).toBe('supplier1');
  });

  const refused: [string, Issued, string, typeof BEFORE_EXPIRY | undefined][] = [
    ['a keyAgreement certificate', keyAgreement, 'PKI_PROFILE_SMKI_KEY_USAGE', undefined],
    ['a Network Operator (role 03) certificate', networkOperator, 'PKI_PROFILE_SMKI_ROLE', undefined],
    ['an expired certificate at a trusted time', expiring, 'PKI_EXPIRED', AFTER_EXPIRY],
  ];
  for (const [what, cert, code, now] of refused) {
    it(`${what} is refused when the store is built`, () => {
      expect(codeOf(() => createTrustStore(manufacturer, { supplier1: cert.der }, now))).toBe(code);
      expect(codeOf(() => replaceCell(testPki().trustStore, 'supplier2', cert.der, now))).toBe(code);
    });
    it(`${what} authorises no image signed with its key`, () => {
      // An image code, so the agent counts it as a refused image; the cell's own code is in the message.
      const refusal = refusalOf(() => verifyImage(imageSignedBy(cert), options({ trust: storeWith(cert), now })));
      expect(refusal.code).toBe('IMG_SUPPLIER_CELL');
      expect(refusal.message).toContain(code);
      expect(refusal.message).toContain('cell supplier1');
      // Beside a good cell, the image is refused as not signed by a usable cell.
      const split: TrustStore = { ...storeWith(cert), cells: { supplier1: cert.der, supplier2: good.der } };
      expect(codeOf(() => verifyImage(imageSignedBy(cert), options({ trust: split, now })))).toBe(
        'IMG_SUPPLIER_SIGNATURE',
      );
    });
  }

  it('an expired cell is not refused without a trusted time (validity cannot be checked, and the result says so)', () => {
    const untrusted = { unixSeconds: AFTER_EXPIRY.unixSeconds, trusted: false };
    expect(createTrustStore(manufacturer, { supplier1: expiring.der }, untrusted).cells.supplier1).toEqual(
      expiring.der,
    );
    const v = verifyImage(imageSignedBy(expiring), options({ trust: storeWith(expiring), now: untrusted }));
    expect(v.supplierCell).toBe('supplier1');
    expect(v.timeChecked).toBe(false);
  });

  it('a certificate that is not yet valid at a trusted time is refused', () => {
    const early = { unixSeconds: Date.UTC(2020, 0, 1) / 1000, trusted: true };
    expect(codeOf(() => checkCell('supplier1', good.der, early))).toBe('PKI_NOT_YET_VALID');
  });

  it('a Recovery cell needs role 01, a Supplier certificate does not fit it', () => {
    expect(codeOf(() => checkCell('recovery', good.der))).toBe('PKI_PROFILE_SMKI_ROLE');
    const recovery = cell('cell-recovery', { role: SmkiRole.recovery });
    expect(checkCell('recovery', recovery.der).subject.der).toEqual(recovery.name);
  });
});

describe('Root cell and manufacturer anchor', () => {
  const pki = testPki();

  it('the Root cell must be an SMKI Root; a Supplier certificate there is refused', () => {
    expect(checkCell('root', pki.smkiRoot.der).subject.der.length).toBeGreaterThan(0);
    expect(codeOf(() => createTrustStore(pki.manufacturerRoot.der, { root: pki.supplier1.der }))).toBe(
      'PKI_PROFILE_SMKI_KEY_USAGE',
    );
  });

  it('the manufacturer anchor must be a CA with keyCertSign', () => {
    expect(codeOf(() => createTrustStore(pki.manufacturerSigner.der))).toBe('PKI_BASIC_CONSTRAINTS');
    expect(checkCell('manufacturer', pki.manufacturerRoot.der, AFTER_EXPIRY).publicKey.length).toBe(65);
  });

  it('a constrained anchor is refused in a cell and in path validation', () => {
    const constrained = issue('nc-root', smkiName(SmkiRole.root, { cn: 'Root' }), undefined, (kid) => [
      ext.basicConstraints(true),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
      ext.nameConstraints('example.com'),
    ]);
    expect(codeOf(() => checkCell('root', constrained.der))).toBe('PKI_NAME_CONSTRAINTS_UNSUPPORTED');
    expect(codeOf(() => createTrustStore(pki.manufacturerRoot.der, { root: constrained.der }))).toBe(
      'PKI_NAME_CONSTRAINTS_UNSUPPORTED',
    );
    // A chain issued under the constrained root: refused at the anchor, not treated as unconstrained.
    const leaf = issue('nc-leaf', smkiName(SmkiRole.supplier, { entityId: ENTITY }), constrained, (kid, akid) => [
      ext.keyUsage(['digitalSignature']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(akid),
    ]);
    expect(codeOf(() => verifyChain([leaf.der], [constrained.der], { profile: 'smki', crypto }))).toBe(
      'PKI_NAME_CONSTRAINTS_UNSUPPORTED',
    );
  });

  it('an unparseable anchor that is not used is ignored', () => {
    const chain = [pki.supplier1.der, pki.orgCa.der];
    const broken = pki.smkiRoot.der.subarray(0, 40);
    expect(verifyChain(chain, [broken, pki.smkiRoot.der], { profile: 'smki', crypto }).anchorIndex).toBe(1);
    expect(codeOf(() => verifyChain(chain, [broken], { profile: 'smki', crypto }))).toBe('PKI_NO_PATH');
  });
});
