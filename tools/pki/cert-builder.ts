/**
 * Issues X.509 v3 certificates signed with P-256 / ecdsa-with-SHA256. Every field can be
 * set (or set wrong on purpose, for the profile tests); the defaults make a certificate
 * the device's validator and openssl both accept.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { KeyUsageBit, Oid } from '../../device/pki/index.js';
import { bitString, bool, ctx, integer, octets, oid, printable, seq, set, time, tlv, utf8 } from './der-encode.js';
import { spkiDer } from './keys.js';
import { sha256Digest, signDigestDer } from './sign.js';

export type KeyUsageName = keyof typeof KeyUsageBit;

export interface NameAttributeSpec {
  oid: string;
  /** Text (PrintableString when it fits, else UTF8String) or raw bytes (BIT STRING). */
  value: string | Uint8Array;
}

export interface ExtensionSpec {
  oid: string;
  critical: boolean;
  /** DER of the extension value (what goes inside extnValue). */
  value: Uint8Array;
}

export interface CertificateSpec {
  subject: Uint8Array;
  issuer: Uint8Array;
  publicKey: Uint8Array;
  /** Private key of the issuer (the subject's own for a self-signed certificate). */
  signerKey: Uint8Array;
  serial: bigint | number;
  notBefore: number;
  notAfter: number;
  extensions: ExtensionSpec[];
  /** DER AlgorithmIdentifier; ecdsa-with-SHA256 unless a test wants otherwise. */
  signatureAlgorithm?: Uint8Array;
  /** X.509 version number as encoded (2 = v3). */
  version?: number;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** A Name with one attribute per RDN, in the order given. */
export function encodeName(attrs: NameAttributeSpec[]): Uint8Array {
  return seq(
    ...attrs.map((a) => {
      const v =
        typeof a.value === 'string'
          ? PRINTABLE.test(a.value)
            ? printable(a.value)
            : utf8(a.value)
          : bitString(a.value);
      return set(seq(oid(a.oid), v));
    }),
  );
}

/** An SMKI organisation name: OU = role as two hex digits, optional entity id and CN. */
export function smkiName(role: number, options: { entityId?: Uint8Array; cn?: string } = {}): Uint8Array {
  const attrs: NameAttributeSpec[] = [
    { oid: Oid.organizationalUnitName, value: role.toString(16).toUpperCase().padStart(2, '0') },
  ];
  if (options.entityId) attrs.push({ oid: Oid.x500UniqueIdentifier, value: options.entityId });
  if (options.cn) attrs.push({ oid: Oid.commonName, value: options.cn });
  return encodeName(attrs);
}

export function keyUsageValue(usages: KeyUsageName[]): Uint8Array {
  let mask = 0;
  for (const u of usages) mask |= KeyUsageBit[u];
  const bytes: number[] = [];
  for (let i = 0; i < 9; i++) if (mask & (1 << i)) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (0x80 >> (i & 7));
  const octs = Uint8Array.from(bytes, (b) => b ?? 0);
  const last = octs[octs.length - 1];
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return bitString(octs, unused);
}

export const ext = {
  keyUsage: (usages: KeyUsageName[], critical = true): ExtensionSpec => ({
    oid: Oid.keyUsage,
    critical,
    value: keyUsageValue(usages),
  }),
  basicConstraints: (cA: boolean, pathLen?: number, critical = true): ExtensionSpec => ({
    oid: Oid.basicConstraints,
    critical,
    value: seq(...(cA ? [bool(true)] : []), ...(pathLen !== undefined ? [integer(pathLen)] : [])),
  }),
  policies: (oids: string[], critical = true): ExtensionSpec => ({
    oid: Oid.certificatePolicies,
    critical,
    value: seq(...oids.map((o) => seq(oid(o)))),
  }),
  subjectKeyId: (keyId: Uint8Array, critical = false): ExtensionSpec => ({
    oid: Oid.subjectKeyIdentifier,
    critical,
    value: octets(keyId),
  }),
  authorityKeyId: (keyId: Uint8Array, critical = false): ExtensionSpec => ({
    oid: Oid.authorityKeyIdentifier,
    critical,
    value: seq(ctx(0, false, keyId)),
  }),
  /** nameConstraints permitting one DNS subtree (enough to prove they are refused). */
  nameConstraints: (dns: string): ExtensionSpec => ({
    oid: Oid.nameConstraints,
    critical: true,
    value: seq(ctx(0, true, seq(tlv(0x82, Uint8Array.from(Buffer.from(dns, 'latin1')))))),
  }),
  raw: (oidText: string, critical: boolean, value: Uint8Array): ExtensionSpec => ({ oid: oidText, critical, value }),
};

/**
 * The SMKI key identifier (GBCS §12 asks for RFC 5280 §4.2.1.2 method 2): a 4-bit type
 * field 0100 then the least significant 60 bits of SHA-1 over the subjectPublicKey bits.
 */
export function smkiKeyId(publicKey: Uint8Array): Uint8Array {
  const id = sha1(publicKey).slice(12, 20);
  id[0] = 0x40 | (id[0] & 0x0f);
  return id;
}

export const ECDSA_WITH_SHA256 = (): Uint8Array => seq(oid(Oid.ecdsaWithSha256));

export function encodeTbs(spec: CertificateSpec): Uint8Array {
  const alg = spec.signatureAlgorithm ?? ECDSA_WITH_SHA256();
  const extensions = spec.extensions.map((e) => seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value)));
  return seq(
    ctx(0, true, integer(spec.version ?? 2)),
    integer(spec.serial),
    alg,
    spec.issuer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spkiDer(spec.publicKey),
    ...(extensions.length ? [ctx(3, true, seq(...extensions))] : []),
  );
}

/** Signs `tbs` with `signerKey` and wraps it into a Certificate. */
export function signTbs(
  tbs: Uint8Array,
  signerKey: Uint8Array,
  signatureAlgorithm: Uint8Array = ECDSA_WITH_SHA256(),
): Uint8Array {
  const sig = signDigestDer(signerKey, sha256Digest(tbs));
  return seq(tbs, signatureAlgorithm, bitString(sig));
}

export function issueCertificate(spec: CertificateSpec): Uint8Array {
  return signTbs(encodeTbs(spec), spec.signerKey, spec.signatureAlgorithm);
}
