/**
 * Stable error codes of device/storage (docs/BOOT.md lists them). Every failure of the
 * public storage API is an OtaError carrying one of these.
 */
export const StorageError = {
  /** The layout does not fit the flash, or a config value is out of range. */
  layout: 'STORAGE_LAYOUT',
  /** A flash read threw. */
  flashRead: 'STORAGE_FLASH_READ',
  /** A flash program threw: the bytes it touched are unknown. */
  flashWrite: 'STORAGE_FLASH_WRITE',
  /** A flash erase threw: the sector is unknown. */
  flashErase: 'STORAGE_FLASH_ERASE',
  /** What reads back differs from what was programmed, or the bank's digest differs. */
  verifyMismatch: 'STORAGE_VERIFY_MISMATCH',
  /** A write would leave the inactive bank's region (never happens through the API). */
  runningBank: 'STORAGE_RUNNING_BANK',
  /** The bank writer was used out of order, past the payload length, or after a failure. */
  writerState: 'STORAGE_WRITER_STATE',
  /** The payload does not fit the bank, or the metadata does not fit its record. */
  tooLarge: 'STORAGE_TOO_LARGE',
  /** A new image cannot be written while a trial is pending: the other bank is the fallback. */
  trialPending: 'STORAGE_TRIAL_PENDING',
  /** A record does not fit even in a freshly rotated journal sector. */
  journalFull: 'JOURNAL_FULL',
  /** A journal record type or body is outside what the journal accepts. */
  journalRecord: 'JOURNAL_RECORD_INVALID',
  /** Neither copy of the boot-control record is valid. */
  bootRecordCorrupt: 'BOOT_RECORD_CORRUPT',
  /** The boot-control transition asked for is not allowed from the current state. */
  bootState: 'BOOT_STATE',
  /** The image's version is below the rollback floor. */
  belowFloor: 'BOOT_BELOW_FLOOR',
  /** The image's digest was reverted once and no higher version has been confirmed since. */
  refused: 'BOOT_IMAGE_REFUSED',
} as const;
export type StorageErrorCode = (typeof StorageError)[keyof typeof StorageError];
