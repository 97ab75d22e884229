/** device/storage's public surface: other folders and tools import from here only. */
export { hashFlash } from './bank-hash.js';
export { BankWriter } from './bank-writer.js';
export {
  type TrialOptions,
  acknowledgeBootEvent,
  activateTrial,
  bootEvent,
  bootStatus,
  confirmTrial,
  isRefused,
  provisionBootRecord,
} from './boot-control.js';
export { type BootRecord, type ImageSlot, readBootRecord } from './boot-record.js';
export { readFlash } from './flash-io.js';
export {
  type DownloadProgress,
  DownloadStage,
  type DownloadStageValue,
  type ImageIdentity,
  clearDownloadProgress,
  readDownloadProgress,
  readTrustAnchors,
  recordCounters,
  recordDownloadProgress,
  recordTrustAnchors,
  sameImage,
} from './journal-records.js';
export { Journal, JOURNAL_MAX_BODY } from './journal.js';
export { keepCounters, keepTrustAnchors, readKept } from './kept-record.js';
export { type LayoutConfig, type StorageLayout, inactiveBank, makeLayout, sectorsNeeded } from './layout.js';
export { provisionMetadata, readMetadata, writeMetadata } from './metadata-record.js';
export { StorageError, type StorageErrorCode } from './storage-errors.js';
