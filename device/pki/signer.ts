/**
 * What the image verifier needs from a single certificate it already trusts (a Supplier
 * anchor cell): the P-256 key, and the SMKI role and entity id when the subject has them.
 */
import { asOtaError } from '../errors.js';
import { smkiEntityId, smkiRole } from './smki.js';
import { parseCertificate } from './x509.js';
import { PkiError } from './pki-errors.js';

export interface CertificateKey {
  /** SEC1 uncompressed P-256 point, 65 bytes. */
  publicKey: Uint8Array;
  /** SMKI role from the OU (e.g. 0x02 Supplier), when present. */
  role?: number;
  /** SMKI 8-byte Entity Identifier, when present. */
  entityId?: Uint8Array;
  notBefore: number;
  notAfter: number;
}

/** Parses `der` and returns its key and SMKI identity. Throws OtaError (PKI_*) only. */
export function certificateKey(der: Uint8Array): CertificateKey {
  try {
    const cert = parseCertificate(der);
    const out: CertificateKey = {
      publicKey: cert.publicKey.slice(),
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
    };
    const role = smkiRole(cert.subject);
    if (role !== undefined) out.role = role;
    const entityId = smkiEntityId(cert.subject);
    if (entityId) out.entityId = entityId.slice();
    return out;
  } catch (e) {
    throw asOtaError(e, PkiError.internal);
  }
}
