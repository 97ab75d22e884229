/**
 * Stable codes of every refusal by device/image. A supplier can be told the code; the
 * message is for people. docs/FORMAT.md lists each with its cause.
 */
export const ImageError = {
  /** Not a Zigbee OTA file: the file identifier is not 0x0BEEF11E. */
  badMagic: 'IMG_BAD_MAGIC',
  /** Header version other than 0x0100. */
  headerVersion: 'IMG_HEADER_VERSION',
  /** Field control has a bit this format does not define. */
  fieldControl: 'IMG_FIELD_CONTROL',
  /** Header length differs from 56 + the optional fields field control announces. */
  headerLength: 'IMG_HEADER_LENGTH',
  /** Total image size cannot hold the header and a minimal signed image. */
  totalSize: 'IMG_TOTAL_SIZE',
  /** The image, its payload or one of its elements is larger than the device accepts. */
  tooLarge: 'IMG_TOO_LARGE',
  /** The first sub-element is not the signed manifest (every vendor file without one). */
  unsigned: 'IMG_UNSIGNED',
  /** A sub-element tag that is not the next one expected (other tags, repeats, wrong order). */
  tagUnexpected: 'IMG_TAG_UNEXPECTED',
  /** A sub-element length that does not fit the image or the element's fixed size. */
  elementLength: 'IMG_ELEMENT_LENGTH',
  /** The walk over sub-elements does not end at total size, nor 66 bytes before it. */
  layout: 'IMG_LAYOUT',
  /** The manifest is not deterministic CBOR (duplicate keys, indefinite lengths, long heads, ...). */
  manifestEncoding: 'IMG_MANIFEST_ENCODING',
  /** A manifest field is missing or has the wrong type or range. */
  manifestField: 'IMG_MANIFEST_FIELD',
  /** The manifest's format version is not one this device reads. */
  manifestVersion: 'IMG_MANIFEST_VERSION',
  /** The manifest carries a critical key (a non-negative integer key) this device does not know. */
  manifestCritical: 'IMG_MANIFEST_CRITICAL',
  /** The certificate chain element is not well formed (count, lengths). */
  chainEncoding: 'IMG_CHAIN_ENCODING',
  /** The manufacturer chain does not validate to the manufacturer anchor. */
  chain: 'IMG_CHAIN',
  /** The manufacturer signature over the manifest does not verify with the chain's leaf key. */
  manifestSignature: 'IMG_MANIFEST_SIGNATURE',
  /** An OTA header field the manifest repeats differs from it. */
  headerMismatch: 'IMG_HEADER_MISMATCH',
  /** The payload element's length differs from the manifest's payload length. */
  payloadLength: 'IMG_PAYLOAD_LENGTH',
  /** The payload is empty: there is nothing to boot, and no bank can be written with it. */
  payloadEmpty: 'IMG_PAYLOAD_EMPTY',
  /** Manufacturer code other than the device's. */
  wrongManufacturer: 'IMG_WRONG_MANUFACTURER',
  /** Image type other than the device's. */
  wrongImageType: 'IMG_WRONG_IMAGE_TYPE',
  /** The device's hardware version is outside the manifest's range. */
  hwVersion: 'IMG_HW_VERSION',
  /** File version not newer than the running one (or below the rollback floor). */
  downgrade: 'IMG_DOWNGRADE',
  /** A payload byte was offered before the manifest was verified and approved. */
  notApproved: 'IMG_NOT_APPROVED',
  /** SHA-256 of the payload differs from the manifest's digest. */
  payloadDigest: 'IMG_PAYLOAD_DIGEST',
  /** The GBCS trailer does not start `00 40`. */
  trailer: 'IMG_TRAILER',
  /** No GBCS trailer while the policy requires a supplier signature. */
  supplierSignatureMissing: 'IMG_SUPPLIER_SIGNATURE_MISSING',
  /** The supplier signature verifies against no Supplier anchor cell. */
  supplierSignature: 'IMG_SUPPLIER_SIGNATURE',
  /** No Supplier anchor cell holds a certificate. */
  noSupplierAnchor: 'IMG_NO_SUPPLIER_ANCHOR',
  /**
   * Every filled Supplier cell was refused for what it holds (role, key usage, validity at a
   * trusted time: docs/PKI.md "Cells"); the first cell's PKI_* code is in the message.
   */
  supplierCell: 'IMG_SUPPLIER_CELL',
  /** A byte offered after the end of the signed image (total image size). */
  trailingBytes: 'IMG_TRAILING_BYTES',
  /** The input ended before the total image size. */
  truncated: 'IMG_TRUNCATED',
  /** The parser's step bound was exceeded (a defence against a hang, never expected). */
  stepLimit: 'IMG_STEP_LIMIT',
  /** The API was used out of order (push after a refusal, approve twice, ...). */
  state: 'IMG_STATE',
  /** The payload consumer failed with something that was not an OtaError. */
  sink: 'IMG_SINK',
  /** An unexpected internal failure, converted so that nothing untyped escapes. */
  internal: 'IMG_INTERNAL',
} as const;

export type ImageErrorCode = (typeof ImageError)[keyof typeof ImageError];
