/**
 * checkSupplierSignature on its own, with the real cell checks (devicePki) and the test
 * PKI: which cell authorises, and which IMG_* code (with the refused cell's PKI_* code in
 * its message) says why none does.
 */
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { PkiCrypto, TrustStore } from '../../device/pki/api.js';
import { devicePki, type ImagePki } from '../../device/image/image-pki.js';
import { checkSupplierSignature } from '../../device/image/supplier-check.js';
import { createTestPki, deriveKey, signDigestRaw } from '../../tools/pki/index.js';
import { refusal } from '../util/refusal.js';

const pki = createTestPki();
const crypto: PkiCrypto = { sha256: nobleSha256, p256: nobleP256 };
const hash = new Uint8Array(32).fill(0x5a);
const by = (privateKey: Uint8Array) => signDigestRaw(privateKey, hash);
const stranger = by(deriveKey('supplier-check test', 'stranger').privateKey);
const trust = (cells: TrustStore['cells']): TrustStore => ({ cells, manufacturerAnchor: pki.manufacturerRoot.der });
const full = trust({ root: pki.smkiRoot.der, supplier1: pki.supplier1.der, supplier2: pki.supplier2.der });
/** A cell holding a certificate of another role (the manufacturer signer's): refused by its cell check. */
const wrongRole = pki.manufacturerSigner.der;

describe('checkSupplierSignature', () => {
  it('names the cell whose key verifies: either supplier cell may authorise', () => {
    expect(checkSupplierSignature(hash, by(pki.supplier1.privateKey), full, crypto, devicePki)).toBe('supplier1');
    expect(checkSupplierSignature(hash, by(pki.supplier2.privateKey), full, crypto, devicePki)).toBe('supplier2');
  });

  it('a signature no usable cell verifies is IMG_SUPPLIER_SIGNATURE', () => {
    const e = refusal(() => checkSupplierSignature(hash, stranger, full, crypto, devicePki));
    expect(e.code).toBe('IMG_SUPPLIER_SIGNATURE');
    expect(e.message).toBe('IMG_SUPPLIER_SIGNATURE: supplier signature verifies against no Supplier anchor cell');
  });

  it('a refused cell is skipped: the other still authorises, and a failure names the refusal too', () => {
    const half = trust({ supplier1: wrongRole, supplier2: pki.supplier2.der });
    expect(checkSupplierSignature(hash, by(pki.supplier2.privateKey), half, crypto, devicePki)).toBe('supplier2');
    const e = refusal(() => checkSupplierSignature(hash, by(pki.supplier1.privateKey), half, crypto, devicePki));
    expect(e.code).toBe('IMG_SUPPLIER_SIGNATURE');
    expect(e.message).toMatch(
      /^IMG_SUPPLIER_SIGNATURE: supplier signature verifies against no Supplier anchor cell \(and a cell was refused: PKI_[A-Z_]+: .+\)$/,
    );
  });

  it('every filled cell refused is IMG_SUPPLIER_CELL with the first refusal’s PKI code', () => {
    const e = refusal(() =>
      checkSupplierSignature(
        hash,
        by(pki.supplier1.privateKey),
        trust({ supplier1: wrongRole, supplier2: wrongRole }),
        crypto,
        devicePki,
      ),
    );
    expect(e.code).toBe('IMG_SUPPLIER_CELL');
    expect(e.message).toMatch(/^IMG_SUPPLIER_CELL: no Supplier cell may authorise an image \(PKI_[A-Z_]+: .+\)$/);
  });

  it('a cell check that throws untyped counts as PKI_INTERNAL, never escapes as it is', () => {
    const broken: ImagePki = {
      verifyChain: devicePki.verifyChain,
      cellKey: () => {
        throw new Error('parser fault');
      },
    };
    const e = refusal(() => checkSupplierSignature(hash, by(pki.supplier1.privateKey), full, crypto, broken));
    expect(e.code).toBe('IMG_SUPPLIER_CELL');
    expect(e.message).toContain('(PKI_INTERNAL');
  });

  it('no supplier cell filled is IMG_NO_SUPPLIER_ANCHOR', () => {
    const e = refusal(() =>
      checkSupplierSignature(hash, by(pki.supplier1.privateKey), trust({ root: pki.smkiRoot.der }), crypto, devicePki),
    );
    expect(e.code).toBe('IMG_NO_SUPPLIER_ANCHOR');
    expect(e.message).toBe('IMG_NO_SUPPLIER_ANCHOR: no Supplier anchor cell holds a certificate');
  });
});
