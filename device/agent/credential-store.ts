/**
 * Where the credentials in force live on flash, and the one write that replaces them.
 *
 * The whole credential set — every cell and the replacement counter, device/pki's trust
 * store encoding — is one record, so a write leaves the old set or the new one, never a
 * mix, and the counter can never part from the cells it came with. Today the record is
 * the journal's TRUST_ANCHORS record (two programs with the commit word last: a cut
 * leaves the old record standing; docs/BOOT.md).
 */
import { OtaError, asOtaError } from '../errors.js';
import { CredentialError } from '../pki/credential-errors.js';
import { decodeTrustStore, encodeTrustStore } from '../pki/trust-store.js';
import type { TrustStore } from '../pki/api.js';
import type { Flash } from '../ports.js';
import { Journal, JOURNAL_MAX_BODY } from '../storage/journal.js';
import { readTrustAnchors, recordTrustAnchors } from '../storage/journal-records.js';
import type { StorageLayout } from '../storage/layout.js';

/** The credential set on flash, or undefined when none was ever written. Throws OtaError when it cannot be read or decoded. */
export function loadCredentials(flash: Flash, layout: StorageLayout): TrustStore | undefined {
  const bytes = readTrustAnchors(Journal.open(flash, layout));
  return bytes ? decodeTrustStore(bytes) : undefined;
}

/** The largest encoded credential set the record holds. */
export function credentialCapacity(_layout: StorageLayout): number {
  return JOURNAL_MAX_BODY;
}

/**
 * Writes `store` as the credentials in force, in one record. Throws CRED_TOO_LARGE when it
 * does not fit (nothing is written), CRED_STORE_WRITE when the flash fails (the old set
 * stands, or the new one if the commit word made it).
 */
export function persistCredentials(flash: Flash, layout: StorageLayout, store: TrustStore): void {
  const bytes = encodeTrustStore(store);
  const capacity = credentialCapacity(layout);
  if (bytes.length > capacity) throw new OtaError(CredentialError.tooLarge, `the credential set is ${bytes.length} bytes; its record holds ${capacity}`);
  try {
    recordTrustAnchors(Journal.open(flash, layout), bytes);
  } catch (e) {
    throw new OtaError(CredentialError.storeWrite, asOtaError(e, 'STORAGE_FLASH_WRITE').message);
  }
}
