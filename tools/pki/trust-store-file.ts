/**
 * The device trust store file the tools read and write (`verify --trust STORE`). Its
 * bytes are exactly the device's own encoding (device/pki/trust-store.ts, documented in
 * docs/PKI.md): what a test device holds and what the tools check against are one thing.
 */
import { isOtaError } from '../../device/errors.js';
import { type TrustStore, decodeTrustStore, encodeTrustStore } from '../../device/pki/index.js';
import { IoError, ioError } from '../io/io-errors.js';
import { readInput } from '../io/read-input.js';
import { writeFilesAllOrNone } from '../io/write-files.js';

/**
 * Reads and strictly decodes a trust store file. A file the device's decoder refuses is
 * IO_TRUST_STORE (exit 3), its PKI_TRUST_STORE_* code kept as the cause: the store is the
 * check's configuration, so nothing was checked.
 */
export function loadTrustStoreFile(path: string): TrustStore {
  const bytes = readInput(path, 'trust store');
  try {
    return decodeTrustStore(bytes);
  } catch (e) {
    const cause = isOtaError(e) ? e.code : undefined;
    throw ioError(IoError.trustStore, `trust store ${path} cannot be read: ${(e as Error).message}`, cause);
  }
}

export function saveTrustStoreFile(path: string, store: TrustStore): void {
  // Through a temporary file and a rename: a failed write leaves the old store whole (IO_WRITE, exit 3).
  writeFilesAllOrNone([{ path, content: encodeTrustStore(store) }]);
}
