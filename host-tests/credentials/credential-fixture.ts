/**
 * Credentials for the replacement tests: the test PKI with its Recovery certificate in a
 * four-cell store, new Supplier and Recovery certificates issued under the same Org CA
 * (or changed one field at a time for the profile tests), and commands signed with the
 * tools' signer. No Node API beyond what tools/pki uses.
 */
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import type { AnchorCell, PkiCrypto, TrustStore } from '../../device/pki/api.js';
import type { CredentialCommandBody } from '../../device/pki/credential-command.js';
import { SmkiRole } from '../../device/pki/smki.js';
import { createTrustStore } from '../../device/pki/trust-store.js';
import { fromHex } from '../../device/util/bytes.js';
import { ext, smkiName, type ExtensionSpec } from '../../tools/pki/cert-builder.js';
import { signCredentialCommand } from '../../tools/pki/credential-command.js';
import { createTestPki, deriveKey, type TestPki } from '../../tools/pki/test-pki.js';
import type { P256KeyPair } from '../../tools/pki/keys.js';
import { issue, type Change, type Issued } from '../pki/fixtures.js';
import { signImage, type SignedImage } from '../../tools/image/sign-image.js';
import { signDigestRaw } from '../../tools/pki/sign.js';
import { Rng } from '../../sim/rng.js';
import { E2E_IDS, TO_VERSION } from '../e2e/e2e-fixture.js';

export const crypto: PkiCrypto = { sha256: nobleSha256, p256: nobleP256 };

let cached: TestPki | undefined;
export function pki(): TestPki {
  cached ??= createTestPki();
  return cached;
}

/** Root, Recovery and both Supplier cells filled; no replacement applied yet. */
export function fullStore(): TrustStore {
  const p = pki();
  return createTrustStore(p.manufacturerRoot.der, {
    root: p.smkiRoot.der,
    recovery: p.recovery.der,
    supplier1: p.supplier1.der,
    supplier2: p.supplier2.der,
  });
}

/** The test PKI's Org CA, as the profile fixtures' issuer. */
export function orgCa(): Issued {
  const p = pki();
  return {
    der: p.orgCa.der,
    name: smkiName(SmkiRole.issuingAuthority, { cn: 'Z1' }),
    key: p.orgCa,
    keyId: p.orgCa.keyId,
  };
}

export const NEW_SUPPLIER_ENTITY_ID = fromHex('90b3d51f30030000');

/** An Organisation Certificate under the Org CA: a Supplier (role 02) unless `role` says otherwise; `change` alters one thing. */
export function organisationCert(
  label: string,
  options: { role?: number; entityId?: Uint8Array; change?: Change } = {},
): Issued {
  const role = options.role ?? SmkiRole.supplier;
  const subject = smkiName(role, { entityId: options.entityId ?? NEW_SUPPLIER_ENTITY_ID, cn: label });
  const defaults = (keyId: Uint8Array, issuerKeyId: Uint8Array): ExtensionSpec[] => [
    ext.keyUsage(['digitalSignature']),
    ext.policies(['1.2.826.0.1.8641679.1.2.1.4']),
    ext.subjectKeyId(keyId),
    ext.authorityKeyId(issuerKeyId),
  ];
  return issue(label, subject, orgCa(), defaults, options.change);
}

/** A key that no cell holds: an unauthorised party's. */
export const STRANGER: P256KeyPair = deriveKey('credential tests', 'stranger');

/** The private key behind each cell of fullStore(). */
export function cellKey(cell: AnchorCell): P256KeyPair {
  const p = pki();
  return { root: p.smkiRoot, recovery: p.recovery, supplier1: p.supplier1, supplier2: p.supplier2 }[cell];
}

/** A command for `cell` by `authority` carrying `cert` (path: the Org CA), signed with the authority's key unless `signer` says otherwise. */
export function command(
  cell: AnchorCell,
  authority: AnchorCell,
  counter: number,
  cert: Uint8Array,
  options: { signer?: P256KeyPair; path?: Uint8Array[]; target?: Uint8Array } = {},
): Uint8Array {
  const body: CredentialCommandBody = {
    cell,
    authority,
    counter,
    certificate: cert,
    path: options.path ?? [pki().orgCa.der],
  };
  if (options.target) body.target = options.target;
  return signCredentialCommand(body, options.signer ?? cellKey(authority));
}

/** A signed OTA file for the e2e ids, its GBCS trailer signed with `supplierKey` (any key: a cell's or not). */
export function imageSignedBy(
  supplierKey: Uint8Array,
  options: { version?: number; seed?: number; bytes?: number } = {},
): SignedImage {
  const p = pki();
  return signImage(
    {
      ...E2E_IDS,
      fileVersion: options.version ?? TO_VERSION,
      payload: new Rng(options.seed ?? 3).bytes(options.bytes ?? 12_000),
    },
    {
      manufacturer: (d) => signDigestRaw(p.manufacturerSigner.privateKey, d),
      chain: [p.manufacturerSigner.der],
      supplier: (d) => signDigestRaw(supplierKey, d),
    },
  );
}
