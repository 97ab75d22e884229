/**
 * Every stable code of device/pki (docs/PKI.md lists each with its cause), gathered from the
 * tables that sit beside the code raising them: DER, X.509, SMKI profile, path validation,
 * trust store. `PkiErrorCode` is their union.
 */
import type { DerError } from './der.js';
import type { PathError } from './path.js';
import type { SmkiError } from './smki.js';
import type { TrustStoreError } from './trust-store.js';
import type { CertError } from './x509.js';

/** Codes shared by several pki files; a leaf module, so that importing it makes no cycle. */
export const PkiError = {
  /** Something other than an OtaError was thrown inside device/pki (a defect, or a port's failure). */
  internal: 'PKI_INTERNAL',
} as const;

type CodesOf<T> = T[keyof T];
export type PkiErrorCode =
  | CodesOf<typeof PkiError>
  | CodesOf<typeof DerError>
  | CodesOf<typeof CertError>
  | CodesOf<typeof SmkiError>
  | CodesOf<typeof PathError>
  | CodesOf<typeof TrustStoreError>;
