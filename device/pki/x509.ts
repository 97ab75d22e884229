/**
 * X.509 v3 certificate parsing (RFC 5280 §4.1), restricted to what the agent can verify:
 * P-256 keys as uncompressed points and ecdsa-with-SHA256 signatures. Anything else is
 * refused here, at parse time, so no later step ever sees a key or an algorithm it cannot
 * check. The TBS bytes are kept as they came (the signature covers them), names as raw
 * DER (chaining compares them byte for byte) next to their parsed attributes.
 */
import { asOtaError, OtaError } from '../errors.js';
import { equalBytes } from '../util/index.js';
import {
  checkDerTree,
  children,
  contextTag,
  DerError,
  encoding,
  expectTag,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  readTime,
  sequenceOf,
  Tag,
  value,
  type DerNode,
} from './der.js';
import { Oid } from './oids.js';
import { PkiError } from './pki-errors.js';

export const CertError = {
  version: 'PKI_CERT_VERSION',
  algorithm: 'PKI_UNSUPPORTED_ALGORITHM',
  key: 'PKI_UNSUPPORTED_KEY',
  extension: 'PKI_EXTENSION_MALFORMED',
  duplicateExtension: 'PKI_DUPLICATE_EXTENSION',
  tooLarge: 'PKI_CERT_TOO_LARGE',
} as const;

/** Largest certificate accepted (SMKI certificates are about 500 bytes). */
export const MAX_CERT_BYTES = 4096;

export interface NameAttribute {
  oid: string;
  /** DER tag of the value (PrintableString, UTF8String, BIT STRING, ...). */
  tag: number;
  /** The value's content octets. */
  value: Uint8Array;
}

export interface Name {
  /** The whole Name TLV: issuer/subject chaining compares these bytes. */
  der: Uint8Array;
  attributes: NameAttribute[];
}

export interface Extension {
  oid: string;
  critical: boolean;
  /** Content of extnValue (the DER of the extension's own value). */
  value: Uint8Array;
}

export interface BasicConstraints {
  cA: boolean;
  pathLen?: number;
}

export interface Certificate {
  der: Uint8Array;
  /** The TBSCertificate encoding, as signed. */
  tbs: Uint8Array;
  /** ECDSA-Sig-Value DER (the BIT STRING's content). */
  signature: Uint8Array;
  serial: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  /** SEC1 uncompressed P-256 point, 65 bytes. */
  publicKey: Uint8Array;
  extensions: Extension[];
  /** keyUsage bits (KeyUsageBit), when the extension is present. */
  keyUsage?: number;
  basicConstraints?: BasicConstraints;
  subjectKeyId?: Uint8Array;
  /** authorityKeyIdentifier [0] keyIdentifier, when present. */
  authorityKeyId?: Uint8Array;
  /** True when authorityKeyIdentifier carries authorityCertIssuer or serial as well. */
  authorityKeyIdHasIssuer: boolean;
  /** certificatePolicies policy OIDs, when the extension is present. */
  policies?: string[];
}

function malformedExt(what: string): never {
  throw new OtaError(CertError.extension, what);
}

function parseAlgorithm(node: DerNode | undefined, what: string): void {
  const items = sequenceOf(node, Tag.sequence, what, 1, 2);
  const oid = readOid(items[0], `${what} OID`);
  // RFC 5758 §3.2: ecdsa-with-SHA256 has its parameters absent.
  if (oid !== Oid.ecdsaWithSha256 || items.length !== 1) {
    throw new OtaError(CertError.algorithm, `${what} ${oid} is not ecdsa-with-SHA256 without parameters`);
  }
}

function parseName(node: DerNode | undefined, what: string): Name {
  const n = expectTag(node, Tag.sequence, what);
  const attributes: NameAttribute[] = [];
  for (const rdn of children(n)) {
    const atvs = sequenceOf(rdn, Tag.set, `${what} RDN`, 1, 8);
    for (let k = 1; k < atvs.length; k++) {
      // DER SET OF (X.690 §11.6): members in ascending order of their encodings.
      if (compareEncodings(encoding(atvs[k - 1]), encoding(atvs[k])) > 0)
        throw new OtaError(DerError.malformed, `${what}: RDN members out of DER order`);
    }
    for (const atv of atvs) {
      const parts = sequenceOf(atv, Tag.sequence, `${what} attribute`, 2, 2);
      attributes.push({ oid: readOid(parts[0], `${what} attribute type`), tag: parts[1].tag, value: value(parts[1]) });
    }
  }
  return { der: encoding(n), attributes };
}

/** X.690 §11.6 order: octet by octet, the shorter one as if padded with zeros. */
function compareEncodings(a: Uint8Array, b: Uint8Array): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function parsePublicKey(node: DerNode | undefined): Uint8Array {
  const items = sequenceOf(node, Tag.sequence, 'subjectPublicKeyInfo', 2, 2);
  const alg = sequenceOf(items[0], Tag.sequence, 'subjectPublicKeyInfo algorithm', 1, 2);
  const algOid = readOid(alg[0], 'public key algorithm');
  const curve = alg[1] && alg[1].tag === Tag.oid ? readOid(alg[1], 'named curve') : undefined;
  if (algOid !== Oid.ecPublicKey || curve !== Oid.prime256v1) {
    throw new OtaError(CertError.algorithm, `public key ${algOid}${curve ? ` on ${curve}` : ''} is not P-256`);
  }
  const { bits, unused } = readBitString(items[1], 'subjectPublicKey');
  if (unused !== 0 || bits.length !== 65 || bits[0] !== 0x04) {
    throw new OtaError(CertError.key, 'public key is not an uncompressed P-256 point');
  }
  return bits;
}

function parseKeyUsage(v: Uint8Array): number {
  const { bits, unused } = readBitString(readRoot(v), 'keyUsage');
  if (bits.length === 0 || bits.length > 2) malformedExt('keyUsage: wrong length');
  // DER named bit list (X.690 §11.2.2): trailing zero bits are dropped, so the last used bit is 1.
  if (((bits[bits.length - 1] >> unused) & 1) !== 1) malformedExt('keyUsage: trailing zero bits encoded');
  let mask = 0;
  for (let i = 0; i < bits.length * 8; i++) {
    if (bits[i >> 3] & (0x80 >> (i & 7))) mask |= 1 << i;
  }
  return mask;
}

function parseBasicConstraints(v: Uint8Array): BasicConstraints {
  const items = sequenceOf(readRoot(v), Tag.sequence, 'basicConstraints', 0, 2);
  let i = 0;
  let cA = false;
  if (items[i] && items[i].tag === Tag.boolean) {
    cA = readBoolean(items[i++], 'basicConstraints cA');
    // DER: a DEFAULT FALSE value is never encoded.
    if (!cA) malformedExt('basicConstraints: cA FALSE encoded');
  }
  let pathLen: number | undefined;
  if (items[i]) pathLen = readSmallInteger(items[i++], 'basicConstraints pathLenConstraint');
  if (i !== items.length) malformedExt('basicConstraints: unexpected content');
  return pathLen === undefined ? { cA } : { cA, pathLen };
}

function parseOctetString(v: Uint8Array, what: string): Uint8Array {
  const n = expectTag(readRoot(v), Tag.octetString, what);
  return value(n);
}

function parseAuthorityKeyId(v: Uint8Array): { keyId?: Uint8Array; hasIssuer: boolean } {
  const items = sequenceOf(readRoot(v), Tag.sequence, 'authorityKeyIdentifier', 0, 3);
  let keyId: Uint8Array | undefined;
  let hasIssuer = false;
  let last = -1;
  for (const item of items) {
    const n = item.tag & 0x1f;
    if ((item.tag & 0xc0) !== 0x80 || n > 2 || n <= last) malformedExt('authorityKeyIdentifier: unexpected field');
    last = n;
    if (n === 0) {
      if (item.tag !== contextTag(0, false)) malformedExt('authorityKeyIdentifier: keyIdentifier not primitive');
      keyId = value(item);
    } else hasIssuer = true;
  }
  return keyId ? { keyId, hasIssuer } : { hasIssuer };
}

function parsePolicies(v: Uint8Array): string[] {
  const items = sequenceOf(readRoot(v), Tag.sequence, 'certificatePolicies', 1, 16);
  const out: string[] = [];
  for (const info of items) {
    const parts = sequenceOf(info, Tag.sequence, 'PolicyInformation', 1, 2);
    const oid = readOid(parts[0], 'policyIdentifier');
    if (out.includes(oid)) malformedExt('certificatePolicies: repeated policy');
    out.push(oid);
  }
  return out;
}

function parseExtensions(node: DerNode, cert: Certificate): void {
  const list = sequenceOf(children(node)[0], Tag.sequence, 'extensions', 1, 32);
  if (children(node).length !== 1) throw new OtaError(DerError.malformed, 'extensions: [3] holds more than one value');
  for (const ext of list) {
    const parts = sequenceOf(ext, Tag.sequence, 'extension', 2, 3);
    const oid = readOid(parts[0], 'extnID');
    let critical = false;
    if (parts.length === 3) {
      critical = readBoolean(parts[1], 'extension critical');
      if (!critical)
        throw new OtaError(DerError.malformed, `extension ${oid}: critical FALSE encoded (DER omits defaults)`);
    }
    const v = value(expectTag(parts[parts.length - 1], Tag.octetString, 'extnValue'));
    if (cert.extensions.some((e) => e.oid === oid))
      throw new OtaError(CertError.duplicateExtension, `extension ${oid} appears twice`);
    cert.extensions.push({ oid, critical, value: v });
    try {
      checkDerTree(readRoot(v));
      switch (oid) {
        case Oid.keyUsage:
          cert.keyUsage = parseKeyUsage(v);
          break;
        case Oid.basicConstraints:
          cert.basicConstraints = parseBasicConstraints(v);
          break;
        case Oid.subjectKeyIdentifier:
          cert.subjectKeyId = parseOctetString(v, 'subjectKeyIdentifier');
          break;
        case Oid.authorityKeyIdentifier: {
          const aki = parseAuthorityKeyId(v);
          if (aki.keyId) cert.authorityKeyId = aki.keyId;
          cert.authorityKeyIdHasIssuer = aki.hasIssuer;
          break;
        }
        case Oid.certificatePolicies:
          cert.policies = parsePolicies(v);
          break;
        // Other extensions are kept as they are (checked DER above); path validation decides on them.
      }
    } catch (e) {
      if (e instanceof OtaError && e.code !== CertError.extension)
        throw new OtaError(CertError.extension, `extension ${oid}: ${e.message}`);
      throw e;
    }
  }
}

/** Parses one DER certificate. Throws OtaError (PKI_DER_*, PKI_CERT_*, PKI_UNSUPPORTED_*, PKI_EXTENSION_*) only. */
export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return parse(der);
  } catch (e) {
    throw asOtaError(e, PkiError.internal);
  }
}

function parse(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw new OtaError(DerError.malformed, 'certificate is not bytes');
  if (der.length > MAX_CERT_BYTES)
    throw new OtaError(CertError.tooLarge, `certificate of ${der.length} bytes (limit ${MAX_CERT_BYTES})`);
  const root = readRoot(der);
  checkDerTree(root);
  const top = sequenceOf(root, Tag.sequence, 'Certificate', 3, 3);
  const tbsNode = expectTag(top[0], Tag.sequence, 'TBSCertificate');
  parseAlgorithm(top[1], 'signatureAlgorithm');
  const sig = readBitString(top[2], 'signatureValue');
  if (sig.unused !== 0) throw new OtaError(DerError.malformed, 'signatureValue has unused bits');

  const t = children(tbsNode);
  let i = 0;
  if (!t[i] || t[i].tag !== contextTag(0, true))
    throw new OtaError(CertError.version, 'not an X.509 v3 certificate (no version field)');
  const versionItems = children(t[i++]);
  if (versionItems.length !== 1 || readSmallInteger(versionItems[0], 'version') !== 2) {
    throw new OtaError(CertError.version, 'not an X.509 v3 certificate');
  }
  const serial = readIntegerBytes(t[i++], 'serialNumber');
  const innerAlg = t[i++];
  parseAlgorithm(innerAlg, 'TBS signature');
  // RFC 5280 §4.1.1.2: the outer algorithm must equal the one inside the signed part.
  if (!equalBytes(encoding(top[1]), encoding(innerAlg))) {
    throw new OtaError(CertError.algorithm, 'signatureAlgorithm differs from the TBS signature field');
  }
  const issuer = parseName(t[i++], 'issuer');
  const validity = sequenceOf(t[i++], Tag.sequence, 'validity', 2, 2);
  const notBefore = readTime(validity[0], 'notBefore');
  const notAfter = readTime(validity[1], 'notAfter');
  const subject = parseName(t[i++], 'subject');
  const publicKey = parsePublicKey(t[i++]);
  const cert: Certificate = {
    der,
    tbs: encoding(tbsNode),
    signature: sig.bits,
    serial,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions: [],
    authorityKeyIdHasIssuer: false,
  };
  if (t[i] && t[i].tag === contextTag(3, true)) parseExtensions(t[i++], cert);
  if (i !== t.length)
    throw new OtaError(DerError.malformed, 'unexpected fields in TBSCertificate (unique identifiers are not accepted)');
  return cert;
}

/** The first attribute of `oid` in a name, if any. */
export function nameAttribute(name: Name, oid: string): NameAttribute | undefined {
  for (const a of name.attributes) if (a.oid === oid) return a;
  return undefined;
}
