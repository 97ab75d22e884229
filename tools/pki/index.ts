/** tools/pki's public surface (Node only): builder, keys, PEM, test PKI, trust store file, signing. */
export {
  createTestPki,
  deriveKey,
  SMKI_TEST_POLICY,
  SUPPLIER1_ENTITY_ID,
  SUPPLIER2_ENTITY_ID,
  type TestCert,
  type TestPki,
  type TestPkiOptions,
} from './test-pki.js';
export { signDigestRaw, signDigestDer, sha256Digest } from './sign.js';
export {
  loadPrivateKey,
  readPrivateKeyFile,
  sec1Pem,
  pkcs8Pem,
  sec1Der,
  pkcs8Der,
  spkiDer,
  type P256KeyPair,
} from './keys.js';
export {
  pemEncode,
  pemDecode,
  looksLikePem,
  certificatesFromBytes,
  readCertificateFile,
  type PemBlock,
} from './pem.js';
export { loadTrustStoreFile, saveTrustStoreFile } from './trust-store-file.js';
export {
  issueCertificate,
  encodeName,
  smkiName,
  smkiKeyId,
  ext,
  encodeTbs,
  signTbs,
  type CertificateSpec,
  type ExtensionSpec,
} from './cert-builder.js';
export { buildCsr } from './csr.js';
export { signCredentialCommand } from './credential-command.js';
