/**
 * P-256 private keys as openssl writes them: SEC1 "EC PRIVATE KEY" (with or without the
 * "EC PARAMETERS" block `ecparam -genkey` puts before it) and PKCS#8 "PRIVATE KEY",
 * in PEM or DER. Parsed with the device's strict DER reader.
 */
import { p256 } from '@noble/curves/nist.js';
import {
  children,
  expectTag,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  readBitString,
  Tag,
  value,
  Oid,
} from '../../device/pki/index.js';
import { equalBytes } from '../../device/util/index.js';
import { bitString, ctx, integer, octets, oid, seq } from './der-encode.js';
import { CliError } from '../command.js';
import { IoError, ioError } from '../io/io-errors.js';
import { readInput } from '../io/read-input.js';
import { looksLikePem, pemDecode, pemEncode } from './pem.js';

export interface P256KeyPair {
  /** The 32-byte private scalar. */
  privateKey: Uint8Array;
  /** SEC1 uncompressed public point, 65 bytes. */
  publicKey: Uint8Array;
}

function keyPair(d: Uint8Array, embeddedPublic?: Uint8Array): P256KeyPair {
  if (d.length !== 32) throw new Error(`private key of ${d.length} bytes, expected 32 (P-256)`);
  const publicKey = p256.getPublicKey(d, false);
  if (embeddedPublic && !equalBytes(embeddedPublic, publicKey))
    throw new Error("the key file's public key does not match its private key");
  return { privateKey: d.slice(), publicKey };
}

/** SEC1 ECPrivateKey (RFC 5915): version 1, privateKey, [0] curve, [1] public key. */
function fromSec1(der: Uint8Array, curveFromOuter: boolean): P256KeyPair {
  const items = children(expectTag(readRoot(der), Tag.sequence, 'ECPrivateKey'));
  if (readSmallInteger(items[0], 'ECPrivateKey version') !== 1) throw new Error('ECPrivateKey version is not 1');
  let d = value(expectTag(items[1], Tag.octetString, 'ECPrivateKey privateKey'));
  // openssl writes the scalar as 32 octets; strip nothing, but pad a short one.
  if (d.length < 32) d = Uint8Array.from([...new Uint8Array(32 - d.length), ...d]);
  let curve: string | undefined;
  let pub: Uint8Array | undefined;
  for (const item of items.slice(2)) {
    if (item.tag === 0xa0) curve = readOid(children(item)[0], 'ECPrivateKey parameters');
    else if (item.tag === 0xa1) pub = readBitString(children(item)[0], 'ECPrivateKey publicKey').bits;
  }
  if (!curveFromOuter && curve !== Oid.prime256v1)
    throw new Error(`EC key on ${curve ?? 'an unnamed curve'}, expected P-256 (prime256v1)`);
  if (curveFromOuter && curve !== undefined && curve !== Oid.prime256v1)
    throw new Error(`EC key on ${curve}, expected P-256`);
  return keyPair(d, pub);
}

/** PKCS#8 PrivateKeyInfo (RFC 5208) holding an id-ecPublicKey / prime256v1 key. */
function fromPkcs8(der: Uint8Array): P256KeyPair {
  const items = children(expectTag(readRoot(der), Tag.sequence, 'PrivateKeyInfo'));
  readIntegerBytes(items[0], 'PrivateKeyInfo version');
  const alg = children(expectTag(items[1], Tag.sequence, 'privateKeyAlgorithm'));
  const algOid = readOid(alg[0], 'privateKeyAlgorithm');
  const curve = alg[1] ? readOid(alg[1], 'named curve') : undefined;
  if (algOid !== Oid.ecPublicKey || curve !== Oid.prime256v1)
    throw new Error(`PKCS#8 key ${algOid} ${curve ?? ''} is not P-256`);
  return fromSec1(value(expectTag(items[2], Tag.octetString, 'privateKey')), true);
}

/** A P-256 key from PEM text or DER bytes (SEC1 or PKCS#8; encrypted keys are refused). */
export function loadPrivateKey(input: Uint8Array | string): P256KeyPair {
  const bytes = typeof input === 'string' ? Uint8Array.from(Buffer.from(input, 'latin1')) : input;
  if (looksLikePem(bytes)) {
    const blocks = pemDecode(Buffer.from(bytes).toString('latin1'));
    for (const b of blocks) {
      if (b.label === 'EC PRIVATE KEY') return fromSec1(b.der, false);
      if (b.label === 'PRIVATE KEY') return fromPkcs8(b.der);
      if (b.label === 'ENCRYPTED PRIVATE KEY')
        throw new Error('encrypted private keys are not supported: decrypt with openssl pkcs8 first');
    }
    const found = blocks.length ? `it holds ${blocks.map((b) => b.label).join(', ')}` : 'no PEM block';
    throw ioError(IoError.pemWrongKind, `no EC PRIVATE KEY or PRIVATE KEY block (${found})`);
  }
  // DER: PKCS#8 has an AlgorithmIdentifier SEQUENCE second; SEC1 an OCTET STRING.
  const second = children(readRoot(bytes))[1];
  return second && second.tag === Tag.sequence ? fromPkcs8(bytes) : fromSec1(bytes, false);
}

/** Reads a key file; anything that is not a P-256 private key is IO_PRIVATE_KEY (exit 3). */
export function readPrivateKeyFile(path: string): P256KeyPair {
  const bytes = readInput(path, 'key file');
  try {
    return loadPrivateKey(bytes);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as { code?: string }).code;
    throw ioError(IoError.privateKey, `key file ${path}: ${(e as Error).message}`, code);
  }
}

export function sec1Der(key: P256KeyPair): Uint8Array {
  return seq(
    integer(1),
    octets(key.privateKey),
    ctx(0, true, oid(Oid.prime256v1)),
    ctx(1, true, bitString(key.publicKey)),
  );
}

export function pkcs8Der(key: P256KeyPair): Uint8Array {
  return seq(
    integer(0),
    seq(oid(Oid.ecPublicKey), oid(Oid.prime256v1)),
    octets(seq(integer(1), octets(key.privateKey), ctx(1, true, bitString(key.publicKey)))),
  );
}

export const sec1Pem = (key: P256KeyPair): string => pemEncode('EC PRIVATE KEY', sec1Der(key));
export const pkcs8Pem = (key: P256KeyPair): string => pemEncode('PRIVATE KEY', pkcs8Der(key));

/** SubjectPublicKeyInfo DER for a P-256 point. */
export function spkiDer(publicKey: Uint8Array): Uint8Array {
  return seq(seq(oid(Oid.ecPublicKey), oid(Oid.prime256v1)), bitString(publicKey));
}
