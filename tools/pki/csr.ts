/**
 * PKCS#10 certification requests (RFC 2986), so a CA the tools do not run (openssl, a
 * vendor's CA) can issue a certificate for a subject the tools encode exactly, such as an
 * SMKI subject whose x500UniqueIdentifier is a BIT STRING (openssl's -subj cannot write one).
 */
import { Oid } from '../../device/pki/index.js';
import { bitString, ctx, integer, oid, seq } from './der-encode.js';
import { spkiDer, type P256KeyPair } from './keys.js';
import { sha256Digest, signDigestDer } from './sign.js';

export function buildCsr(subject: Uint8Array, key: P256KeyPair): Uint8Array {
  const info = seq(integer(0), subject, spkiDer(key.publicKey), ctx(0, true));
  return seq(info, seq(oid(Oid.ecdsaWithSha256)), bitString(signDigestDer(key.privateKey, sha256Digest(info))));
}
