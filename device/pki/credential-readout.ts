/**
 * The CS08-like read-out of the credentials in force: for each filled cell its entity
 * identifier and key identifier (the subjectKeyIdentifier, the 8 octets GBCS uses to
 * name a key), and the counter of the last replacement. What a supplier asks a device to
 * learn which credentials it trusts before it signs a replacement.
 */
import { toHex } from '../util/index.js';
import { ANCHOR_CELLS, type AnchorCell, type TrustStore } from './api.js';
import { smkiEntityId, smkiRole } from './smki.js';
import { parseCertificate } from './x509.js';

export interface CredentialEntry {
  cell: AnchorCell;
  /** The SMKI role in the subject's OU (0 Root, 1 Recovery, 2 Supplier), when present. */
  role?: number;
  /** The 8-byte Entity Identifier as hex, when the subject carries one (the Root does not). */
  entityId?: string;
  /** The subjectKeyIdentifier as hex. */
  keyId?: string;
  /** Set when the cell's certificate no longer parses (the cell is then unusable). */
  error?: string;
}

export interface CredentialReadout {
  /** Counter of the last replacement applied (0: none since provisioning). */
  counter: number;
  cells: CredentialEntry[];
}

/** The read-out of `store`, filled cells in cell order. Never throws. */
export function readCredentials(store: TrustStore): CredentialReadout {
  const cells: CredentialEntry[] = [];
  for (const cell of ANCHOR_CELLS) {
    const der = store.cells[cell];
    if (!der) continue;
    const entry: CredentialEntry = { cell };
    try {
      const cert = parseCertificate(der);
      if (cert.subjectKeyId) entry.keyId = toHex(cert.subjectKeyId);
      const role = smkiRole(cert.subject);
      if (role !== undefined) entry.role = role;
      const id = smkiEntityId(cert.subject);
      if (id) entry.entityId = toHex(id);
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
    }
    cells.push(entry);
  }
  return { counter: store.counter ?? 0, cells };
}
