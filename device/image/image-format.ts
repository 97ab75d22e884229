/**
 * The numbers of the signed GB OTA image format (docs/FORMAT.md): tags, fixed sizes and
 * the bounds that keep the parser's RAM independent of the image size.
 */

/** Zigbee OTA file identifier, bytes `1E F1 EE 0B` on the wire. */
export const OTA_FILE_IDENTIFIER = 0x0beef11e;
export const OTA_HEADER_VERSION = 0x0100;
/** Header length without optional fields. */
export const OTA_HEADER_BASE_LENGTH = 56;

export const FieldControl = {
  securityCredentialVersion: 0x0001,
  upgradeFileDestination: 0x0002,
  hardwareVersions: 0x0004,
} as const;
export const FIELD_CONTROL_KNOWN = 0x0007;
/** Largest header this format defines: 56 + 1 + 8 + 4. */
export const OTA_HEADER_MAX_LENGTH = 69;

/** Sub-element tags, in the only order accepted. */
export const Tag = {
  manifest: 0xf100,
  manufacturerSignature: 0xf101,
  certificateChain: 0xf102,
  payload: 0x0000,
} as const;
export const ELEMENT_ORDER: readonly number[] = [
  Tag.manifest,
  Tag.manufacturerSignature,
  Tag.certificateChain,
  Tag.payload,
];

/** Sub-element head: tag (2) + length (4). */
export const ELEMENT_HEAD_LENGTH = 6;
/** Raw r‖s ECDSA P-256 signature. */
export const RAW_SIGNATURE_LENGTH = 64;
/** GBCS trailer: `00 40` + 64-byte supplier signature. */
export const TRAILER_MARKER = [0x00, 0x40] as const;
export const TRAILER_LENGTH = 2 + RAW_SIGNATURE_LENGTH;

/** Bound on the manifest element's data. */
export const MAX_MANIFEST_LENGTH = 512;
/** Bound on the certificate chain element's data. */
export const MAX_CHAIN_LENGTH = 4096;
/** Bound on the number of certificates in the chain element (leaf and intermediates). */
export const MAX_CHAIN_CERTS = 4;
/** Smallest DER certificate the chain encoding accepts a length for (a sanity floor, not a parse). */
export const MIN_CERT_LENGTH = 64;

/**
 * Everything before the payload: the header, the three signed-metadata elements and the
 * payload element's head. The parser keeps this prefix (and never more) in RAM, and the
 * agent stores it in the metadata record to resume after a power cut.
 */
export const MAX_PREFIX_LENGTH =
  OTA_HEADER_MAX_LENGTH + 4 * ELEMENT_HEAD_LENGTH + MAX_MANIFEST_LENGTH + RAW_SIGNATURE_LENGTH + MAX_CHAIN_LENGTH;

/** The manifest's format version this device reads (manifest key 1). */
export const MANIFEST_FORMAT_VERSION = 1;
