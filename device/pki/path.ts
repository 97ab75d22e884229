/**
 * Certification path validation: RFC 5280 §6.1 basic path validation restricted to
 * P-256 / ecdsa-with-SHA256, with the SMKI profile layered on top when asked for.
 *
 * The chain arrives leaf first without its anchor; the path is processed from the anchor
 * down. The anchor gives a name and a key (RFC 5280 §6.1.1 d): its own validity and
 * signature are not checked, it is trusted because it is installed. Policies are checked
 * only when the caller names the ones it accepts, and without policy mapping: the
 * mapping, constraint and inhibit extensions are "unrecognised", fine when non-critical,
 * refused when critical. nameConstraints are not implemented: any certificate carrying
 * them, the anchor included, is refused.
 */
import { asOtaError, OtaError } from '../errors.js';
import { PkiError } from './pki-errors.js';
import { equalBytes } from '../util/index.js';
import type { ChainOptions, VerifiedChain } from './api.js';
import { KeyUsageBit, Oid } from './oids.js';
import { checkSmkiAnchor, checkSmkiIntermediate, checkSmkiSigner, SmkiError } from './smki.js';
import { parseCertificate, type Certificate } from './x509.js';
import type { PkiErrorCode } from './pki-errors.js';

export const PathError = {
  noPath: 'PKI_NO_PATH',
  signature: 'PKI_SIGNATURE_INVALID',
  expired: 'PKI_EXPIRED',
  notYetValid: 'PKI_NOT_YET_VALID',
  keyUsage: 'PKI_KEY_USAGE',
  basicConstraints: 'PKI_BASIC_CONSTRAINTS',
  pathLength: 'PKI_PATH_LENGTH',
  unknownCritical: 'PKI_UNKNOWN_CRITICAL_EXTENSION',
  nameConstraints: 'PKI_NAME_CONSTRAINTS_UNSUPPORTED',
  policy: 'PKI_POLICY_NOT_ACCEPTED',
  chainTooLong: 'PKI_CHAIN_TOO_LONG',
  badInput: 'PKI_BAD_INPUT',
  internal: PkiError.internal,
} as const;

/** Most certificates in a chain (leaf and intermediates, anchor not counted). */
export const MAX_CHAIN_LENGTH = 4;
/** Most anchors one validation considers. */
export const MAX_ANCHORS = 8;

/** Extensions this validator understands; a critical one outside this list is refused. */
const RECOGNISED = [
  Oid.keyUsage,
  Oid.basicConstraints,
  Oid.subjectKeyIdentifier,
  Oid.authorityKeyIdentifier,
  Oid.certificatePolicies,
  Oid.subjectAltName,
];

function fail(code: PkiErrorCode, message: string): never {
  throw new OtaError(code, message);
}

/** True when `signer` made `cert`'s signature. A throw from the port counts as invalid. */
export function signatureMatches(cert: Certificate, signerKey: Uint8Array, crypto: ChainOptions['crypto']): boolean {
  try {
    const h = crypto.sha256.create();
    h.update(cert.tbs);
    return crypto.p256.verify(h.digest(), cert.signature, signerKey, 'der') === true;
  } catch {
    return false;
  }
}

function parseOrUndefined(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der);
  } catch {
    return undefined;
  }
}

/** Could `anchor` have issued `cert`: same name, and key identifiers agreeing when both are present. */
function anchorNamesMatch(anchor: Certificate, cert: Certificate): boolean {
  if (!equalBytes(anchor.subject.der, cert.issuer.der)) return false;
  if (anchor.subjectKeyId && cert.authorityKeyId && !equalBytes(anchor.subjectKeyId, cert.authorityKeyId)) return false;
  return true;
}

function checkExtensions(cert: Certificate, index: number): void {
  for (const e of cert.extensions) {
    if (e.oid === Oid.nameConstraints)
      fail(PathError.nameConstraints, `certificate ${index}: nameConstraints are not supported`);
    if (e.critical && !RECOGNISED.includes(e.oid as (typeof RECOGNISED)[number])) {
      fail(PathError.unknownCritical, `certificate ${index}: unrecognised critical extension ${e.oid}`);
    }
  }
}

function checkValidity(cert: Certificate, now: number, index: number): void {
  if (now < cert.notBefore) fail(PathError.notYetValid, `certificate ${index} is not valid before ${cert.notBefore}`);
  if (now > cert.notAfter) fail(PathError.expired, `certificate ${index} expired at ${cert.notAfter}`);
}

/**
 * RFC 5280 §6.1 policy processing reduced to what holds without policy mappings: the set
 * of acceptable policies is narrowed by each certificate from the top down (anyPolicy
 * narrows nothing) and must not become empty. A certificate without policies empties it.
 */
function checkPolicies(chain: Certificate[], accepted: string[]): void {
  let valid = accepted.slice();
  for (let i = chain.length - 1; i >= 0; i--) {
    const p = chain[i].policies ?? [];
    if (!p.includes(Oid.anyPolicy)) valid = valid.filter((oid) => p.includes(oid));
    if (valid.length === 0)
      fail(PathError.policy, `certificate ${i} asserts none of the accepted policies that remain`);
  }
}

function validate(chainDer: Uint8Array[], anchorDer: Uint8Array[], options: ChainOptions): VerifiedChain {
  if (!Array.isArray(chainDer) || !Array.isArray(anchorDer) || !options || !options.crypto)
    fail(PathError.badInput, 'chain, anchors and options are required');
  if (options.profile !== 'smki' && options.profile !== 'rfc5280')
    fail(PathError.badInput, `unknown profile ${String(options.profile)}`);
  if (options.leafRole !== undefined && options.profile !== 'smki')
    fail(PathError.badInput, 'leafRole needs the smki profile');
  if (options.acceptedPolicies !== undefined && !Array.isArray(options.acceptedPolicies))
    fail(PathError.badInput, 'acceptedPolicies is not a list');
  if (chainDer.length === 0) fail(PathError.noPath, 'empty chain');
  if (chainDer.length > MAX_CHAIN_LENGTH)
    fail(PathError.chainTooLong, `${chainDer.length} certificates (limit ${MAX_CHAIN_LENGTH})`);
  if (anchorDer.length === 0) fail(PathError.noPath, 'no trust anchor');
  if (anchorDer.length > MAX_ANCHORS) fail(PathError.badInput, `${anchorDer.length} anchors (limit ${MAX_ANCHORS})`);
  const smki = options.profile === 'smki';
  const chain = chainDer.map(parseCertificate);
  // An anchor that does not parse cannot be the one used: it is ignored, as an unused
  // intermediate is, and only counted for the message when no anchor fits.
  const anchors: (Certificate | undefined)[] = anchorDer.map(parseOrUndefined);
  const ignored = anchors.filter((a) => a === undefined).length;
  const now = options.now;
  const timeChecked = !!now && now.trusted === true && Number.isFinite(now.unixSeconds);

  // Find the anchor that issued the top of the chain: by name (and key id), then by signature.
  const top = chain[chain.length - 1];
  const candidates: number[] = [];
  for (let a = 0; a < anchors.length; a++) {
    const anchor = anchors[a];
    if (anchor && anchorNamesMatch(anchor, top)) candidates.push(a);
  }
  if (candidates.length === 0) {
    fail(
      PathError.noPath,
      `no anchor matches the issuer of the last certificate${ignored ? ` (${ignored} unparseable anchor(s) ignored)` : ''}`,
    );
  }
  let anchorIndex = -1;
  for (const a of candidates) {
    if (signatureMatches(top, anchors[a]!.publicKey, options.crypto)) {
      anchorIndex = a;
      break;
    }
  }
  if (anchorIndex < 0)
    fail(PathError.signature, `certificate ${chain.length - 1}: signature does not verify with any matching anchor`);
  const anchor = anchors[anchorIndex]!;
  // A constrained anchor would constrain the whole path (RFC 5280 §6.1.1 d); name
  // constraints are not implemented, so it is refused rather than taken as unconstrained.
  if (anchor.extensions.some((e) => e.oid === Oid.nameConstraints))
    fail(PathError.nameConstraints, 'anchor: nameConstraints are not supported');
  if (smki) checkSmkiAnchor(anchor);

  // §6.1.2 initialisation, then §6.1.3/§6.1.4 for each certificate from the anchor down.
  let maxPathLength = chain.length; // "n": the anchor imposes no constraint of its own
  let issuer = anchor;
  let leafInfo: { role: number; entityId: Uint8Array } | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const cert = chain[i];
    const isLeaf = i === 0;
    if (!equalBytes(cert.issuer.der, issuer.subject.der))
      fail(PathError.noPath, `certificate ${i}: issuer name does not match the subject of certificate ${i + 1}`);
    if (issuer !== anchor && !signatureMatches(cert, issuer.publicKey, options.crypto))
      fail(PathError.signature, `certificate ${i}: signature does not verify`);
    if (timeChecked) checkValidity(cert, now!.unixSeconds, i);
    checkExtensions(cert, i);
    if (!isLeaf) {
      // §6.1.4 (k), (l), (m), (n): only CAs issue, within their path length, with keyCertSign.
      if (!cert.basicConstraints || !cert.basicConstraints.cA)
        fail(PathError.basicConstraints, `certificate ${i} issues a certificate but is not a CA`);
      const selfIssued = equalBytes(cert.subject.der, cert.issuer.der);
      if (!selfIssued) {
        if (maxPathLength <= 0) fail(PathError.pathLength, `certificate ${i} exceeds a pathLenConstraint`);
        maxPathLength--;
      }
      const pl = cert.basicConstraints.pathLen;
      if (pl !== undefined && pl < maxPathLength) maxPathLength = pl;
      if (cert.keyUsage !== undefined && (cert.keyUsage & KeyUsageBit.keyCertSign) === 0)
        fail(PathError.keyUsage, `certificate ${i} lacks keyCertSign`);
      if (smki) checkSmkiIntermediate(cert, issuer.subjectKeyId, i);
    } else {
      // The leaf signs firmware or images: it needs digitalSignature when it states a usage.
      if (cert.keyUsage !== undefined && (cert.keyUsage & KeyUsageBit.digitalSignature) === 0)
        fail(PathError.keyUsage, 'leaf lacks digitalSignature');
      if (smki) leafInfo = checkSmkiSigner(cert, issuer.subjectKeyId);
    }
    issuer = cert;
  }
  if (options.acceptedPolicies) checkPolicies(chain, options.acceptedPolicies);
  const leaf = chain[0];
  if (leafInfo && options.leafRole !== undefined && leafInfo.role !== options.leafRole) {
    fail(SmkiError.role, `leaf role ${leafInfo.role} is not the required ${options.leafRole}`);
  }
  const result: VerifiedChain = { leafPublicKey: leaf.publicKey.slice(), anchorIndex, timeChecked };
  if (leafInfo) {
    result.leafRole = leafInfo.role;
    result.leafEntityId = leafInfo.entityId.slice();
  }
  return result;
}

/**
 * Validates `chain` (DER certificates, leaf first, anchor not included) up to one of
 * `anchors` (DER certificates). Returns the leaf's key; throws OtaError with a PKI_* code
 * and never anything else.
 */
export function verifyChain(chain: Uint8Array[], anchors: Uint8Array[], options: ChainOptions): VerifiedChain {
  try {
    return validate(chain, anchors, options);
  } catch (e) {
    throw asOtaError(e, PathError.internal);
  }
}
