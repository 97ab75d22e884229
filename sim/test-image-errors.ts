/**
 * Codes of the emulator's plain test-image format (test-image.ts, test-image-verifier.ts,
 * storage-image-sink.ts): a stand-in for device/image in the download tests, so its codes
 * are its own. They join OtaErrorCode by declaration merging; device/ never sees them.
 */
export const TestImageError = {
  /** The head is cut short, or is not a test OTA header. */
  header: 'IMAGE_HEADER',
  /** The header does not name the offered image. */
  headerMismatch: 'IMAGE_HEADER_MISMATCH',
  /** The manifest or payload sub-element is not where the format puts it. */
  layout: 'IMAGE_LAYOUT',
  /** The payload is larger than the bank. */
  tooLarge: 'IMAGE_TOO_LARGE',
  /** The manifest has the wrong length. */
  manifest: 'IMAGE_MANIFEST',
  /** The manifest's keyed tag does not verify. */
  manifestSignature: 'IMAGE_MANIFEST_SIGNATURE',
  /** The signed manifest names another image. */
  manifestMismatch: 'IMAGE_MANIFEST_MISMATCH',
  /** The streamed payload does not match the manifest's digest. */
  payloadDigest: 'IMAGE_PAYLOAD_DIGEST',
  /** The head was refused for a reason that carries no code of its own. */
  invalid: 'IMAGE_INVALID',
} as const;
export type TestImageErrorCode = (typeof TestImageError)[keyof typeof TestImageError];

declare module '../device/errors.js' {
  interface OtaErrorCodeTables {
    testImage: TestImageErrorCode;
  }
}
