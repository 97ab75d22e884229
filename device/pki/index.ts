/** device/pki's public surface: import from here. */
export * from './api.js';
export { verifyChain, MAX_CHAIN_LENGTH, MAX_ANCHORS, PathError } from './path.js';
export { certificateKey, type CertificateKey } from './signer.js';
export { checkCell, checkCellCertificate, isTrustedTime, type CellKind } from './cell-profile.js';
export { SmkiRole, SmkiError } from './smki.js';
export { splitCertificates } from './chain-bytes.js';
export { parseCertificate, CertError, MAX_CERT_BYTES, type Certificate, type Name, type Extension } from './x509.js';
export { DerError } from './der.js';
export {
  createTrustStore,
  replaceCell,
  supplierAnchors,
  encodeTrustStore,
  decodeTrustStore,
  TrustStoreError,
  TRUST_STORE_FORMAT_VERSION,
} from './trust-store.js';
export {
  Tag,
  children,
  expectTag,
  readBitString,
  readIntegerBytes,
  readOid,
  readRoot,
  readSmallInteger,
  sequenceOf,
  value,
} from './der.js';
export { KeyUsageBit, Oid } from './oids.js';
export { PkiError, type PkiErrorCode } from './pki-errors.js';
export { smkiEntityId, smkiRole } from './smki.js';
export {
  CredentialError,
  Cs02bCode,
  cs02bCode,
  CS02B_FOR,
  type CredentialErrorCode,
  type Cs02bCodeValue,
} from './credential-errors.js';
export { AUTHORISATION_MATRIX, mayReplace, authorisationMatrixMarkdown } from './credential-authority.js';
export {
  encodeCredentialBody,
  encodeCredentialCommand,
  decodeCredentialCommand,
  CREDENTIAL_COMMAND_VERSION,
  MAX_CREDENTIAL_COMMAND_BYTES,
  type CredentialCommand,
  type CredentialCommandBody,
} from './credential-command.js';
export { checkCredentialCommand, type CredentialCheckContext, type CredentialReplacement } from './credential-check.js';
export { readCredentials, type CredentialEntry, type CredentialReadout } from './credential-readout.js';
