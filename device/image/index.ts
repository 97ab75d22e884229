/** device/image's public surface: import from here. */
export {
  ImageSession,
  verifyImage,
  type ImageSessionOptions,
  type SessionEvent,
  type SessionPush,
  type VerifiedImage,
} from './image-session.js';
export { ImageStream, type PushOptions, type PushResult, type StreamEvent } from './image-stream.js';
export type { PayloadSink } from './payload-sink.js';
export type { DeviceIdentity } from './manifest-check.js';
export { ImageError, type ImageErrorCode } from './image-errors.js';
export {
  ALLOW_DOWNGRADE,
  ALLOW_SAME_VERSION,
  DEFAULT_IMAGE_POLICY,
  SUPPLIER_SIGNATURE_REQUIRED,
  type ImagePolicy,
} from './image-policy.js';
export { MAX_PREFIX_LENGTH, TRAILER_LENGTH } from './image-format.js';
export { decodeManifest, encodeManifest, ManifestKey, type Manifest } from './manifest.js';
export { parseOtaHeader, type OtaHeader } from './ota-header.js';
export { devicePki, type ImagePki } from './image-pki.js';
export { gbcsLayout, verifySupplierOnly, type GbcsLayout, type SupplierAuthorisation } from './gbcs-upgrade-image.js';
export { decodeChain, encodeChain } from './chain-codec.js';
export {
  ELEMENT_HEAD_LENGTH,
  FieldControl,
  OTA_FILE_IDENTIFIER,
  OTA_HEADER_VERSION,
  TRAILER_MARKER,
  Tag,
} from './image-format.js';
export { expectedHeaderLength } from './ota-header.js';
export { checkSupplierSignature } from './supplier-check.js';
