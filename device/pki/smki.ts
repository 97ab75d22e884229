/**
 * The GB SMKI certificate profile (GBCS §12, REFERENCE.md §4), checked on top of the
 * RFC 5280 path rules. What it requires of each kind of certificate is in docs/PKI.md.
 */
import { OtaError } from '../errors.js';
import { equalBytes } from '../util/index.js';
import { Tag } from './der.js';
import { KeyUsageBit, Oid } from './oids.js';
import { nameAttribute, type Certificate, type Name } from './x509.js';
import type { PkiErrorCode } from './pki-errors.js';

export const SmkiError = {
  keyUsage: 'PKI_PROFILE_SMKI_KEY_USAGE',
  policies: 'PKI_PROFILE_SMKI_POLICIES',
  keyId: 'PKI_PROFILE_SMKI_KEY_ID',
  role: 'PKI_PROFILE_SMKI_ROLE',
  entityId: 'PKI_PROFILE_SMKI_ENTITY_ID',
  basicConstraints: 'PKI_PROFILE_SMKI_BASIC_CONSTRAINTS',
} as const;

/** Remote party roles as carried in the OU (two hex digits). */
export const SmkiRole = {
  root: 0x00,
  recovery: 0x01,
  supplier: 0x02,
  networkOperator: 0x03,
  accessControlBroker: 0x04,
  wanProvider: 0x06,
  issuingAuthority: 0x07,
} as const;

export const SMKI_KEY_ID_LENGTH = 8;
export const SMKI_ENTITY_ID_LENGTH = 8;

/** What an issuer's keyUsage may hold: keyCertSign, plus cRLSign. */
const ISSUER_USAGE_ALLOWED = KeyUsageBit.keyCertSign | KeyUsageBit.cRLSign;

function fail(code: PkiErrorCode, message: string): never {
  throw new OtaError(code, message);
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** The role in a name's OU (two hex digits), or undefined when there is no OU. Throws when the OU is not a role. */
export function smkiRole(name: Name): number | undefined {
  const ou = nameAttribute(name, Oid.organizationalUnitName);
  if (!ou) return undefined;
  const v = ou.value;
  if (
    (ou.tag !== Tag.printableString && ou.tag !== Tag.utf8String) ||
    v.length !== 2 ||
    !isHexDigit(v[0]) ||
    !isHexDigit(v[1])
  ) {
    fail(SmkiError.role, 'OU is not a role of two hex digits');
  }
  return hexValue(v[0]) * 16 + hexValue(v[1]);
}

/** The 8-byte Entity Identifier in x500UniqueIdentifier (a BIT STRING), or undefined when absent. */
export function smkiEntityId(name: Name): Uint8Array | undefined {
  const a = nameAttribute(name, Oid.x500UniqueIdentifier);
  if (!a) return undefined;
  // X.520 UniqueIdentifier is a BIT STRING: one unused-bits octet (0) then the 8 octets.
  if (a.tag !== Tag.bitString || a.value.length !== SMKI_ENTITY_ID_LENGTH + 1 || a.value[0] !== 0) {
    fail(SmkiError.entityId, 'x500UniqueIdentifier is not an 8-octet BIT STRING');
  }
  return a.value.subarray(1);
}

function checkCommon(cert: Certificate, what: string): void {
  const ku = cert.extensions.find((e) => e.oid === Oid.keyUsage);
  if (!ku || !ku.critical || cert.keyUsage === undefined)
    fail(SmkiError.keyUsage, `${what}: keyUsage missing or not critical`);
  const cp = cert.extensions.find((e) => e.oid === Oid.certificatePolicies);
  if (!cp || !cp.critical || !cert.policies || cert.policies.length < 1) {
    fail(SmkiError.policies, `${what}: certificatePolicies missing, not critical or empty`);
  }
  const ski = cert.extensions.find((e) => e.oid === Oid.subjectKeyIdentifier);
  if (!ski || ski.critical || !cert.subjectKeyId || cert.subjectKeyId.length !== SMKI_KEY_ID_LENGTH) {
    fail(SmkiError.keyId, `${what}: subjectKeyIdentifier missing, critical or not ${SMKI_KEY_ID_LENGTH} octets`);
  }
}

function checkAuthorityKeyIdShape(cert: Certificate, what: string): void {
  const aki = cert.extensions.find((e) => e.oid === Oid.authorityKeyIdentifier);
  if (
    !aki ||
    aki.critical ||
    !cert.authorityKeyId ||
    cert.authorityKeyIdHasIssuer ||
    cert.authorityKeyId.length !== SMKI_KEY_ID_LENGTH
  ) {
    fail(
      SmkiError.keyId,
      `${what}: authorityKeyIdentifier missing, critical, or not a lone ${SMKI_KEY_ID_LENGTH}-octet keyIdentifier`,
    );
  }
}

function checkAuthorityKeyId(cert: Certificate, issuerKeyId: Uint8Array | undefined, what: string): void {
  checkAuthorityKeyIdShape(cert, what);
  if (!issuerKeyId || !equalBytes(cert.authorityKeyId!, issuerKeyId)) {
    fail(SmkiError.keyId, `${what}: authorityKeyIdentifier does not match the issuer's subjectKeyIdentifier`);
  }
}

function checkIssuerUsage(cert: Certificate, what: string): void {
  const usage = cert.keyUsage ?? 0;
  if ((usage & KeyUsageBit.keyCertSign) === 0 || (usage & ~ISSUER_USAGE_ALLOWED) !== 0) {
    fail(SmkiError.keyUsage, `${what}: keyUsage must be keyCertSign (optionally with cRLSign)`);
  }
}

/**
 * The SMKI anchor (the Root): common rules, issuer key usage, role 00 when an OU is
 * present, and no authorityKeyIdentifier (it is self-signed).
 */
export function checkSmkiAnchor(anchor: Certificate): void {
  checkCommon(anchor, 'anchor');
  checkIssuerUsage(anchor, 'anchor');
  if (cannotBeIssuer(anchor)) fail(SmkiError.basicConstraints, 'anchor: basicConstraints cA is not TRUE');
  const role = smkiRole(anchor.subject);
  if (role !== undefined && role !== SmkiRole.root) fail(SmkiError.role, 'anchor: an SMKI Root has role 00 in its OU');
  if (anchor.extensions.some((e) => e.oid === Oid.authorityKeyIdentifier)) {
    fail(SmkiError.keyId, 'anchor: a self-signed SMKI Root carries no authorityKeyIdentifier');
  }
}

function cannotBeIssuer(cert: Certificate): boolean {
  return !cert.basicConstraints || !cert.basicConstraints.cA;
}

/** An intermediate (Organisation CA): common rules, issuer key usage, AKI = issuer's SKI, role 07. */
export function checkSmkiIntermediate(cert: Certificate, issuerKeyId: Uint8Array | undefined, index: number): void {
  const what = `certificate ${index}`;
  checkCommon(cert, what);
  checkIssuerUsage(cert, what);
  checkAuthorityKeyId(cert, issuerKeyId, what);
  const role = smkiRole(cert.subject);
  if (role !== SmkiRole.issuingAuthority) fail(SmkiError.role, `${what}: an issuing CA has role 07 in its OU`);
}

/** The signer (leaf): common rules, keyUsage exactly digitalSignature, AKI, role and entity id. */
export function checkSmkiSigner(
  cert: Certificate,
  issuerKeyId: Uint8Array | undefined,
): { role: number; entityId: Uint8Array } {
  const what = 'leaf';
  const identity = checkSmkiSigningCertificate(cert, what);
  checkAuthorityKeyId(cert, issuerKeyId, what);
  return identity;
}

/**
 * An Organisation Certificate that signs (a Supplier or Recovery cell, or a chain's leaf):
 * common rules, keyUsage exactly digitalSignature (a keyAgreement certificate never signs),
 * not a CA, an AKI of the SMKI shape (its issuer is not at hand to match), role and entity id.
 */
export function checkSmkiSigningCertificate(cert: Certificate, what: string): { role: number; entityId: Uint8Array } {
  checkCommon(cert, what);
  if (cert.keyUsage !== KeyUsageBit.digitalSignature)
    fail(SmkiError.keyUsage, `${what}: keyUsage must be exactly digitalSignature`);
  if (cert.basicConstraints?.cA) fail(SmkiError.basicConstraints, `${what}: a signing certificate is not a CA`);
  checkAuthorityKeyIdShape(cert, what);
  const role = smkiRole(cert.subject);
  if (role === undefined) fail(SmkiError.role, `${what}: no role (OU) in the subject`);
  const entityId = smkiEntityId(cert.subject);
  if (!entityId) fail(SmkiError.entityId, `${what}: no x500UniqueIdentifier entity identifier in the subject`);
  return { role, entityId };
}
