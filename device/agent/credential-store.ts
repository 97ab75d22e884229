/**
 * Where the credentials in force live on flash, and the one write that replaces them.
 *
 * The whole credential set — every cell and the replacement counter, device/pki's trust
 * store encoding — is one body, so no write can leave a mix, and the counter never parts
 * from the cells it came with. It is kept where provisioning puts it (docs/BOOT.md):
 *
 *   1. the kept record (device/storage/kept-record.ts): two copies in their own sectors,
 *      sequence number and CRC, the new copy written over the older one and read back.
 *      This write is the commit: a cut before it ends leaves the old copy standing, a cut
 *      after it leaves the new one.
 *   2. then the journal's TRUST_ANCHORS copy, the fallback when both kept copies are
 *      unreadable. A set too large for a journal record (JOURNAL_MAX_BODY) clears that
 *      copy instead (an empty body): an older set must never come back as a fallback,
 *      since the key it trusted may be the compromised one the replacement removed.
 *
 * Readers take the kept record, else the journal's copy (an empty copy is none). The
 * boot-record pattern (two copies, sequence, CRC) rather than the journal alone: the
 * credentials cannot be learnt again over the air, and a journal record cannot hold a full
 * set of four cells. RAM: one copy of the set while it is read or written.
 */
import { OtaError, asOtaError, isOtaError } from '../errors.js';
import { CredentialError } from '../pki/index.js';
import { decodeTrustStore, encodeTrustStore } from '../pki/index.js';
import type { TrustStore } from '../pki/index.js';
import type { Flash } from '../ports.js';
import { equalBytes } from '../util/index.js';
import { Journal, JOURNAL_MAX_BODY } from '../storage/index.js';
import { readTrustAnchors, recordTrustAnchors } from '../storage/index.js';
import { keepTrustAnchors, readKept } from '../storage/index.js';
import type { StorageLayout } from '../storage/index.js';
import { StorageError } from '../storage/index.js';

const NONE = new Uint8Array(0);

/**
 * The credential set on flash — the kept record's, else the journal's copy — or undefined
 * when neither holds one. A copy that does not decode is passed over for the other; throws
 * OtaError only when the one that exists cannot be read or decoded.
 */
export function loadCredentials(flash: Flash, layout: StorageLayout): TrustStore | undefined {
  let failure: unknown;
  try {
    const kept = readKept(flash, layout)?.trustAnchors;
    if (kept && kept.length > 0) return decodeTrustStore(kept);
  } catch (e) {
    failure = e;
  }
  const copy = readTrustAnchors(Journal.open(flash, layout));
  if (copy && copy.length > 0) return decodeTrustStore(copy);
  if (failure) throw asOtaError(failure, CredentialError.read);
  return undefined;
}

/**
 * Writes `store` as the credentials in force: the kept record (the commit), then the
 * journal's copy. Throws CRED_TOO_LARGE when the set does not fit the kept record (nothing
 * is written), CRED_STORE_WRITE when the kept record could not be written (the old set
 * stands). A failure of the journal's copy after the commit is not a refusal: the new set
 * is in force, and `repairJournalCopy` mends the copy at the next start.
 */
export function persistCredentials(flash: Flash, layout: StorageLayout, store: TrustStore): void {
  const bytes = encodeTrustStore(store);
  try {
    keepTrustAnchors(flash, layout, bytes);
  } catch (e) {
    if (isOtaError(e, StorageError.tooLarge))
      throw new OtaError(CredentialError.tooLarge, `the credential set is ${bytes.length} bytes: ${e.message}`);
    throw new OtaError(CredentialError.storeWrite, asOtaError(e, StorageError.flashWrite).message);
  }
  try {
    writeJournalCopy(flash, layout, bytes);
  } catch {
    // the commit stands; the copy is mended at the next start
  }
}

/** The journal's copy brought in line with `store` (the set in force), when it is not. Throws OtaError when the journal fails. */
export function repairJournalCopy(flash: Flash, layout: StorageLayout, store: TrustStore): void {
  const bytes = encodeTrustStore(store);
  const want = bytes.length <= JOURNAL_MAX_BODY ? bytes : NONE;
  const copy = readTrustAnchors(Journal.open(flash, layout));
  if (copy === undefined && readKept(flash, layout)?.trustAnchors === undefined) return; // never provisioned on flash: nothing to mend
  if (copy && equalBytes(copy, want)) return;
  writeJournalCopy(flash, layout, bytes);
}

function writeJournalCopy(flash: Flash, layout: StorageLayout, bytes: Uint8Array): void {
  recordTrustAnchors(Journal.open(flash, layout), bytes.length <= JOURNAL_MAX_BODY ? bytes : NONE);
}
