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
export { Tag, children, expectTag, readBitString, readIntegerBytes, readOid, readRoot, readSmallInteger, sequenceOf, value } from './der.js';
export { KeyUsageBit, Oid } from './oids.js';
export { PkiError, type PkiErrorCode } from './pki-errors.js';
export { smkiEntityId, smkiRole } from './smki.js';
