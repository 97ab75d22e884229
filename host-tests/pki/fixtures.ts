/**
 * Chains for the profile tests: the test PKI's SMKI and manufacturer hierarchies rebuilt
 * from specs, so a test can change one field of one certificate and nothing else.
 */
import { Oid } from '../../device/pki/oids.js';
import { SmkiRole } from '../../device/pki/smki.js';
import {
  encodeName,
  ext,
  issueCertificate,
  smkiKeyId,
  smkiName,
  type ExtensionSpec,
} from '../../tools/pki/cert-builder.js';
import type { P256KeyPair } from '../../tools/pki/keys.js';
import { deriveKey, SMKI_TEST_POLICY, SUPPLIER1_ENTITY_ID } from '../../tools/pki/test-pki.js';

export const NOT_BEFORE = Date.UTC(2024, 0, 1) / 1000;
export const NOT_AFTER = Date.UTC(2034, 0, 1) / 1000;

export interface Issued {
  der: Uint8Array;
  name: Uint8Array;
  key: P256KeyPair;
  keyId: Uint8Array;
}

/** What a test may change in one certificate. */
export interface Change {
  subject?: Uint8Array;
  /** The issuer name written into the certificate (defaults to the issuer's subject). */
  issuerName?: Uint8Array;
  extensions?: (defaults: ExtensionSpec[], keyId: Uint8Array, issuerKeyId: Uint8Array) => ExtensionSpec[];
  notBefore?: number;
  notAfter?: number;
  /** Sign with this key instead of the issuer's. */
  signerKey?: Uint8Array;
  publicKey?: Uint8Array;
  signatureAlgorithm?: Uint8Array;
  version?: number;
  /** Applied to the finished DER (after signing). */
  post?: (der: Uint8Array) => Uint8Array;
}

let serial = 1;

export function issue(
  label: string,
  subject: Uint8Array,
  issuer: Issued | undefined,
  defaults: (keyId: Uint8Array, issuerKeyId: Uint8Array) => ExtensionSpec[],
  change: Change = {},
): Issued {
  const key = deriveKey('profile tests', label);
  const keyId = smkiKeyId(key.publicKey);
  const name = change.subject ?? subject;
  const issuerKeyId = issuer ? issuer.keyId : keyId;
  const base = defaults(keyId, issuerKeyId);
  let der = issueCertificate({
    subject: name,
    issuer: change.issuerName ?? (issuer ? issuer.name : name),
    publicKey: change.publicKey ?? key.publicKey,
    signerKey: change.signerKey ?? (issuer ? issuer.key.privateKey : key.privateKey),
    serial: serial++,
    notBefore: change.notBefore ?? NOT_BEFORE,
    notAfter: change.notAfter ?? NOT_AFTER,
    extensions: change.extensions ? change.extensions(base, keyId, issuerKeyId) : base,
    ...(change.signatureAlgorithm ? { signatureAlgorithm: change.signatureAlgorithm } : {}),
    ...(change.version !== undefined ? { version: change.version } : {}),
  });
  if (change.post) der = change.post(der);
  return { der, name, key, keyId };
}

export interface ChainUnderTest {
  chain: Uint8Array[];
  anchors: Uint8Array[];
}

/** SMKI Root → Organisation CA (OU=07) → Supplier signer (OU=02), with changes per certificate. */
export function smkiChain(changes: { root?: Change; ca?: Change; leaf?: Change } = {}): ChainUnderTest {
  const root = issue(
    'root',
    smkiName(SmkiRole.root, { cn: 'Root' }),
    undefined,
    (kid) => [
      ext.basicConstraints(true),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
    ],
    changes.root,
  );
  const ca = issue(
    'ca',
    smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' }),
    root,
    (kid, ikid) => [
      ext.basicConstraints(true, 0),
      ext.keyUsage(['keyCertSign', 'cRLSign']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(ikid),
    ],
    changes.ca,
  );
  const leaf = issue(
    'leaf',
    smkiName(SmkiRole.supplier, { entityId: SUPPLIER1_ENTITY_ID, cn: 'Supplier' }),
    ca,
    (kid, ikid) => [
      ext.keyUsage(['digitalSignature']),
      ext.policies([SMKI_TEST_POLICY]),
      ext.subjectKeyId(kid),
      ext.authorityKeyId(ikid),
    ],
    changes.leaf,
  );
  return { chain: [leaf.der, ca.der], anchors: [root.der] };
}

const org = (cn: string) =>
  encodeName([
    { oid: Oid.organizationName, value: 'profile tests' },
    { oid: Oid.commonName, value: cn },
  ]);

export const caDefaults =
  (pathLen?: number) =>
  (kid: Uint8Array, ikid: Uint8Array): ExtensionSpec[] => [
    ext.basicConstraints(true, pathLen),
    ext.keyUsage(['keyCertSign', 'cRLSign']),
    ext.subjectKeyId(kid),
    ext.authorityKeyId(ikid),
  ];

export const signerDefaults = (kid: Uint8Array, ikid: Uint8Array): ExtensionSpec[] => [
  ext.keyUsage(['digitalSignature']),
  ext.subjectKeyId(kid),
  ext.authorityKeyId(ikid),
];

/**
 * Root → `cas.length` intermediates → signer, RFC 5280 style. `cas[i]` is the change for
 * intermediate i counted from the root (pathLen in its default basicConstraints too).
 */
export function rfcChain(
  options: { root?: Change; cas?: { pathLen?: number; change?: Change }[]; leaf?: Change } = {},
): ChainUnderTest {
  const root = issue(
    'm-root',
    org('Root'),
    undefined,
    (kid) => [ext.basicConstraints(true), ext.keyUsage(['keyCertSign', 'cRLSign']), ext.subjectKeyId(kid)],
    options.root,
  );
  let issuer = root;
  const cas: Issued[] = [];
  (options.cas ?? [{}]).forEach((c, i) => {
    issuer = issue(`m-ca${i}`, org(`CA ${i}`), issuer, caDefaults(c.pathLen), c.change);
    cas.unshift(issuer);
  });
  const leaf = issue('m-leaf', org('Signer'), issuer, signerDefaults, options.leaf);
  return { chain: [leaf.der, ...cas.map((c) => c.der)], anchors: [root.der] };
}
