/**
 * The whole test hierarchy in memory: an SMKI Root (OU=00), an Organisation CA (OU=07,
 * CN=Z1 as in the DCC test keystore), two Supplier signing certificates (OU=02,
 * digitalSignature only, distinct entity ids), and a manufacturer root and image signer
 * (RFC 5280 profile). Keys are derived from a seed, so the same seed gives the same PKI.
 */
import { p256 } from '@noble/curves/nist.js';
import { type TrustStore, Oid, SmkiRole, createTrustStore } from '../../device/pki/index.js';
import { fromHex } from '../../device/util/index.js';
import { encodeName, ext, issueCertificate, smkiKeyId, smkiName } from './cert-builder.js';
import type { P256KeyPair } from './keys.js';
import { pemEncode } from './pem.js';
import { sha256Digest } from './sign.js';

/** The SMKI test-environment policy (REFERENCE.md §4; production OIDs may differ). */
export const SMKI_TEST_POLICY = '1.2.826.0.1.8641679.1.2.1.4';

export interface TestCert extends P256KeyPair {
  der: Uint8Array;
  pem: string;
  keyId: Uint8Array;
  /** SMKI entity identifier, for the supplier certificates. */
  entityId?: Uint8Array;
}

export interface TestPki {
  smkiRoot: TestCert;
  orgCa: TestCert;
  supplier1: TestCert;
  supplier2: TestCert;
  /** The Recovery signing certificate (OU=01): not in `trustStore`; a test that replaces credentials puts it in its own store. */
  recovery: TestCert;
  manufacturerRoot: TestCert;
  manufacturerSigner: TestCert;
  /** Root cell = SMKI root, supplier cells = the two supplier certificates, manufacturer anchor = manufacturer root. */
  trustStore: TrustStore;
}

export interface TestPkiOptions {
  /** Key derivation seed (default 'althan-ota test pki'). */
  seed?: string;
  /** Validity of every certificate, unix seconds (defaults 2024-01-01 .. 2049-12-31T23:59:59Z). */
  notBefore?: number;
  notAfter?: number;
  policy?: string;
}

export const SUPPLIER1_ENTITY_ID = fromHex('90b3d51f30010000');
export const SUPPLIER2_ENTITY_ID = fromHex('90b3d51f30020000');
export const RECOVERY_ENTITY_ID = fromHex('90b3d51f30000001');

/** A P-256 key pair from a label: SHA-256 of seed and label, re-hashed in the rare case it is not a valid scalar. */
export function deriveKey(seed: string, label: string): P256KeyPair {
  let d = sha256Digest(Uint8Array.from(Buffer.from(`${seed}/${label}`, 'utf8')));
  for (;;) {
    try {
      return { privateKey: d, publicKey: p256.getPublicKey(d, false) };
    } catch {
      d = sha256Digest(d);
    }
  }
}

export function createTestPki(options: TestPkiOptions = {}): TestPki {
  const seed = options.seed ?? 'althan-ota test pki';
  const notBefore = options.notBefore ?? Date.UTC(2024, 0, 1) / 1000;
  const notAfter = options.notAfter ?? Date.UTC(2049, 11, 31, 23, 59, 59) / 1000;
  const policy = options.policy ?? SMKI_TEST_POLICY;
  let serial = 0x1000;

  const make = (
    label: string,
    subject: Uint8Array,
    issuer: { name: Uint8Array; key: P256KeyPair; keyId: Uint8Array } | undefined,
    extensions: (keyId: Uint8Array) => ReturnType<typeof ext.raw>[],
    entityId?: Uint8Array,
  ): TestCert => {
    const key = deriveKey(seed, label);
    const keyId = smkiKeyId(key.publicKey);
    const der = issueCertificate({
      subject,
      issuer: issuer ? issuer.name : subject,
      publicKey: key.publicKey,
      signerKey: issuer ? issuer.key.privateKey : key.privateKey,
      serial: serial++,
      notBefore,
      notAfter,
      extensions: extensions(keyId),
    });
    const cert: TestCert = { ...key, der, pem: pemEncode('CERTIFICATE', der), keyId };
    if (entityId) cert.entityId = entityId;
    return cert;
  };
  const issuerOf = (c: TestCert, name: Uint8Array) => ({ name, key: c, keyId: c.keyId });

  const rootName = smkiName(SmkiRole.root, { cn: 'Root' });
  const smkiRoot = make('smki-root', rootName, undefined, (kid) => [
    ext.basicConstraints(true),
    ext.keyUsage(['keyCertSign', 'cRLSign']),
    ext.policies([policy]),
    ext.subjectKeyId(kid),
  ]);
  const caName = smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' });
  const orgCa = make('smki-org-ca', caName, issuerOf(smkiRoot, rootName), (kid) => [
    ext.basicConstraints(true, 0),
    ext.keyUsage(['keyCertSign', 'cRLSign']),
    ext.policies([policy]),
    ext.subjectKeyId(kid),
    ext.authorityKeyId(smkiRoot.keyId),
  ]);
  const supplier = (n: 1 | 2, entityId: Uint8Array) =>
    make(
      `smki-supplier${n}`,
      smkiName(SmkiRole.supplier, { entityId, cn: `Supplier ${n}` }),
      issuerOf(orgCa, caName),
      (kid) => [
        ext.keyUsage(['digitalSignature']),
        ext.policies([policy]),
        ext.subjectKeyId(kid),
        ext.authorityKeyId(orgCa.keyId),
      ],
      entityId,
    );
  const supplier1 = supplier(1, SUPPLIER1_ENTITY_ID);
  const supplier2 = supplier(2, SUPPLIER2_ENTITY_ID);

  const mRootName = encodeName([
    { oid: Oid.organizationName, value: 'althan-ota test manufacturer' },
    { oid: Oid.commonName, value: 'Manufacturer Root' },
  ]);
  const manufacturerRoot = make('manufacturer-root', mRootName, undefined, (kid) => [
    ext.basicConstraints(true, 1),
    ext.keyUsage(['keyCertSign', 'cRLSign']),
    ext.subjectKeyId(kid),
  ]);
  const manufacturerSigner = make(
    'manufacturer-signer',
    encodeName([
      { oid: Oid.organizationName, value: 'althan-ota test manufacturer' },
      { oid: Oid.commonName, value: 'Firmware Signer' },
    ]),
    issuerOf(manufacturerRoot, mRootName),
    (kid) => [
      ext.basicConstraints(false),
      ext.keyUsage(['digitalSignature']),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(manufacturerRoot.keyId),
    ],
  );

  // Made last: the other certificates keep their serial numbers whether or not a test uses it.
  const recovery = make(
    'smki-recovery',
    smkiName(SmkiRole.recovery, { entityId: RECOVERY_ENTITY_ID, cn: 'Recovery' }),
    issuerOf(orgCa, caName),
    (kid) => [
      ext.keyUsage(['digitalSignature']),
      ext.policies([policy]),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(orgCa.keyId),
    ],
    RECOVERY_ENTITY_ID,
  );
  const trustStore = createTrustStore(manufacturerRoot.der, {
    root: smkiRoot.der,
    supplier1: supplier1.der,
    supplier2: supplier2.der,
  });
  return { smkiRoot, orgCa, supplier1, supplier2, recovery, manufacturerRoot, manufacturerSigner, trustStore };
}
