/**
 * Stable error codes of the lin platform ports (device/platform/lin). A port throws an
 * OtaError with one of these; the agent turns it into its own code for the operation
 * (STORAGE_FLASH_WRITE, TRANSPORT_FAILED, ...) and goes on.
 */
export const LinError = {
  /** An offset or length outside the flash file, or not a multiple of the write alignment. */
  flashRange: 'LIN_FLASH_RANGE',
  /** A program onto a byte that does not read erased (NOR forbids it). */
  flashNotErased: 'LIN_FLASH_NOT_ERASED',
  /** The flash file could not be read, written or synced (the native call threw). */
  flashIo: 'LIN_FLASH_IO',
  /** The link to the Communications Hub is down or refused the message. */
  linkDown: 'LIN_LINK_DOWN',
  /** A message on the link is malformed (length, type or body). */
  linkMessage: 'LIN_LINK_MESSAGE',
} as const;
