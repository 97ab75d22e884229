/**
 * The test hierarchy from createTestPki validates with the device's verifyChain under the
 * profile each part is meant for, its trust store round-trips through the file format,
 * and signDigestRaw makes r‖s signatures the device's P256Verifier accepts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import {
  certificateKey,
  createTrustStore,
  parseCertificate,
  decodeTrustStore,
  encodeTrustStore,
  replaceCell,
  SmkiRole,
  splitCertificates,
  supplierAnchors,
  verifyChain,
} from '../../device/pki/index.js';
import { concatBytes, equalBytes, toHex } from '../../device/util/bytes.js';
import {
  createTestPki,
  loadTrustStoreFile,
  saveTrustStoreFile,
  sha256Digest,
  signDigestRaw,
  SMKI_TEST_POLICY,
  SUPPLIER1_ENTITY_ID,
  SUPPLIER2_ENTITY_ID,
} from '../../tools/pki/index.js';
import { codeOf, crypto } from './crypto.js';
import { tempDir } from './openssl.js';

const pki = createTestPki();

describe('createTestPki', () => {
  it('is deterministic for a seed and different for another seed', () => {
    expect(toHex(createTestPki().supplier1.der)).toBe(toHex(pki.supplier1.der));
    expect(toHex(createTestPki({ seed: 'other' }).supplier1.publicKey)).not.toBe(toHex(pki.supplier1.publicKey));
  });

  it('both supplier chains validate under the SMKI profile with role 02 and distinct entity ids', () => {
    const r1 = verifyChain([pki.supplier1.der, pki.orgCa.der], [pki.smkiRoot.der], {
      profile: 'smki',
      crypto,
      leafRole: SmkiRole.supplier,
    });
    const r2 = verifyChain([pki.supplier2.der, pki.orgCa.der], [pki.smkiRoot.der], {
      profile: 'smki',
      crypto,
      leafRole: SmkiRole.supplier,
    });
    expect(toHex(r1.leafPublicKey)).toBe(toHex(pki.supplier1.publicKey));
    expect(toHex(r2.leafPublicKey)).toBe(toHex(pki.supplier2.publicKey));
    expect(r1.leafRole).toBe(0x02);
    expect(toHex(r1.leafEntityId!)).toBe(toHex(SUPPLIER1_ENTITY_ID));
    expect(toHex(r2.leafEntityId!)).toBe(toHex(SUPPLIER2_ENTITY_ID));
    expect(r1.timeChecked).toBe(false);
  });

  it('the manufacturer chain validates under RFC 5280 and is refused under SMKI', () => {
    const r = verifyChain([pki.manufacturerSigner.der], [pki.smkiRoot.der, pki.manufacturerRoot.der], {
      profile: 'rfc5280',
      crypto,
    });
    expect(r.anchorIndex).toBe(1);
    expect(toHex(r.leafPublicKey)).toBe(toHex(pki.manufacturerSigner.publicKey));
    expect(
      codeOf(() => verifyChain([pki.manufacturerSigner.der], [pki.manufacturerRoot.der], { profile: 'smki', crypto })),
    ).toMatch(/^PKI_PROFILE_SMKI_/);
  });

  it('a supplier chain does not validate against the manufacturer anchor', () => {
    expect(
      codeOf(() =>
        verifyChain([pki.supplier1.der, pki.orgCa.der], [pki.manufacturerRoot.der], { profile: 'rfc5280', crypto }),
      ),
    ).toBe('PKI_NO_PATH');
  });

  it('the supplier chains carry the SMKI test policy through, so a device naming it accepts them', () => {
    expect(
      verifyChain([pki.supplier1.der, pki.orgCa.der], [pki.smkiRoot.der], {
        profile: 'smki',
        crypto,
        acceptedPolicies: [SMKI_TEST_POLICY],
      }).leafRole,
    ).toBe(2);
  });

  it('key identifiers follow RFC 5280 §4.2.1.2 method 2 (type 0100, low 60 bits of SHA-1), as GBCS asks', () => {
    for (const c of [pki.smkiRoot, pki.orgCa, pki.supplier1, pki.supplier2]) {
      const sha1 = createHash('sha1').update(c.publicKey).digest();
      const expected = Uint8Array.from(sha1.subarray(12));
      expected[0] = 0x40 | (expected[0] & 0x0f);
      expect(toHex(c.keyId)).toBe(toHex(expected));
      expect(toHex(parseCertificate(c.der).subjectKeyId!)).toBe(toHex(expected));
    }
  });

  it('certificateKey gives a supplier cell its key, role and entity id', () => {
    const k = certificateKey(pki.trustStore.cells.supplier2!);
    expect(toHex(k.publicKey)).toBe(toHex(pki.supplier2.publicKey));
    expect(k.role).toBe(SmkiRole.supplier);
    expect(toHex(k.entityId!)).toBe(toHex(SUPPLIER2_ENTITY_ID));
    expect(certificateKey(pki.manufacturerRoot.der).role).toBeUndefined();
  });
});

describe('signDigestRaw', () => {
  it('makes 64-byte r‖s signatures the device port accepts, and a changed digest fails', () => {
    for (let i = 0; i < 8; i++) {
      const digest = sha256Digest(Uint8Array.of(i));
      const sig = signDigestRaw(pki.supplier1.privateKey, digest);
      expect(sig.length).toBe(64);
      expect(nobleP256.verify(digest, sig, pki.supplier1.publicKey, 'raw')).toBe(true);
      expect(nobleP256.verify(sha256Digest(Uint8Array.of(i, 0)), sig, pki.supplier1.publicKey, 'raw')).toBe(false);
    }
  });
});

describe('trust store file', () => {
  it('saves and loads the same store, byte for byte', () => {
    const dir = tempDir('althan-trust-');
    const file = path.join(dir, 'trust.cbor');
    saveTrustStoreFile(file, pki.trustStore);
    const back = loadTrustStoreFile(file);
    expect(equalBytes(back.manufacturerAnchor, pki.manufacturerRoot.der)).toBe(true);
    expect(Object.keys(back.cells).sort()).toEqual(['root', 'supplier1', 'supplier2']);
    expect(equalBytes(back.cells.supplier1!, pki.supplier1.der)).toBe(true);
    expect(toHex(readFileSync(file))).toBe(toHex(encodeTrustStore(back)));
    expect(toHex(encodeTrustStore(decodeTrustStore(encodeTrustStore(pki.trustStore))))).toBe(toHex(readFileSync(file)));
  });
});

describe('splitCertificates', () => {
  it('splits a concatenated chain into its certificates and refuses leftovers, too many, or none', () => {
    const joined = concatBytes(pki.supplier1.der, pki.orgCa.der);
    const parts = splitCertificates(joined);
    expect(parts.map(toHex)).toEqual([toHex(pki.supplier1.der), toHex(pki.orgCa.der)]);
    expect(verifyChain(parts, [pki.smkiRoot.der], { profile: 'smki', crypto }).leafRole).toBe(SmkiRole.supplier);
    expect(codeOf(() => splitCertificates(concatBytes(joined, Uint8Array.of(0x30))))).toBe('PKI_DER_TRUNCATED');
    expect(codeOf(() => splitCertificates(concatBytes(joined, Uint8Array.of(0x04, 0x00))))).toBe('PKI_DER_MALFORMED');
    expect(codeOf(() => splitCertificates(concatBytes(joined, joined, pki.orgCa.der)))).toBe('PKI_CHAIN_TOO_LONG');
    expect(codeOf(() => splitCertificates(new Uint8Array(0)))).toBe('PKI_NO_PATH');
  });
});

describe('trust store values', () => {
  it('replaceCell returns a new store with the cell changed and the manufacturer anchor untouched', () => {
    const next = replaceCell(pki.trustStore, 'supplier2', pki.supplier1.der);
    expect(equalBytes(next.cells.supplier2!, pki.supplier1.der)).toBe(true);
    expect(equalBytes(pki.trustStore.cells.supplier2!, pki.supplier2.der)).toBe(true);
    expect(equalBytes(next.manufacturerAnchor, pki.manufacturerRoot.der)).toBe(true);
    const emptied = replaceCell(next, 'supplier1', undefined);
    expect(supplierAnchors(emptied).map(toHex)).toEqual([toHex(pki.supplier1.der)]);
    expect(supplierAnchors(pki.trustStore).map(toHex)).toEqual([toHex(pki.supplier1.der), toHex(pki.supplier2.der)]);
  });

  it('refuses bad certificates and unknown cells with codes, and a store of the wrong shape without an untyped throw', () => {
    expect(codeOf(() => replaceCell(pki.trustStore, 'recovery', pki.orgCa.der.subarray(2)))).toBe(
      'PKI_TRUST_STORE_BAD_CERTIFICATE',
    );
    expect(codeOf(() => replaceCell(pki.trustStore, 'manufacturer' as 'root', pki.orgCa.der))).toBe(
      'PKI_TRUST_STORE_UNKNOWN_CELL',
    );
    expect(codeOf(() => createTrustStore(pki.manufacturerRoot.der, { wan: pki.orgCa.der } as never))).toBe(
      'PKI_TRUST_STORE_UNKNOWN_CELL',
    );
    expect(codeOf(() => supplierAnchors(null as never))).toBe('PKI_TRUST_STORE_MALFORMED');
    expect(codeOf(() => certificateKey(new Uint8Array(3)))).toMatch(/^PKI_DER_/);
  });

  it('leafRole with the rfc5280 profile is a caller error, not silently ignored', () => {
    expect(
      codeOf(() =>
        verifyChain([pki.manufacturerSigner.der], [pki.manufacturerRoot.der], {
          profile: 'rfc5280',
          crypto,
          leafRole: 2,
        }),
      ),
    ).toBe('PKI_BAD_INPUT');
  });
});
