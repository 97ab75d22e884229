/**
 * Building and describing a device trust store from certificates (`trust build`, `trust
 * show`, `pki init`). The checks are the device's own (device/pki createTrustStore and
 * checkCell): what the tools accept is what a device would accept.
 */
import { isOtaError } from '../../device/errors.js';
import {
  ANCHOR_CELLS,
  type AnchorCell,
  type TrustStore,
  checkCell,
  createTrustStore,
  type CellKind,
  smkiEntityId,
  smkiRole,
  parseCertificate,
} from '../../device/pki/index.js';
import type { WallTime } from '../../device/ports.js';
import { toHex } from '../../device/util/index.js';
import { isoTime, nameToString } from './describe.js';

export interface TrustStoreInput {
  manufacturerAnchor: Uint8Array;
  cells: Partial<Record<AnchorCell, Uint8Array>>;
}

/** The store, every certificate checked for its cell (validity too when `now` is trusted). Throws OtaError (PKI_*). */
export function buildTrustStore(input: TrustStoreInput, now?: WallTime): TrustStore {
  return createTrustStore(input.manufacturerAnchor, input.cells, now);
}

export interface CellDescription {
  cell: CellKind;
  subject: string;
  role?: string;
  entityId?: string;
  keyId?: string;
  notBefore: string;
  notAfter: string;
  /** 'ok', or the code the device's cell check refuses it with. */
  check: string;
  message?: string;
}

/** One line of facts per filled cell and the manufacturer anchor, each with the device's verdict on it. */
export function describeTrustStore(store: TrustStore, now?: WallTime): CellDescription[] {
  const rows: [CellKind, Uint8Array][] = [['manufacturer', store.manufacturerAnchor]];
  for (const cell of ANCHOR_CELLS) {
    const der = store.cells[cell];
    if (der) rows.push([cell, der]);
  }
  return rows.map(([cell, der]) => describeCell(cell, der, now));
}

function describeCell(cell: CellKind, der: Uint8Array, now: WallTime | undefined): CellDescription {
  const c = parseCertificate(der);
  const out: CellDescription = {
    cell,
    subject: nameToString(c.subject),
    notBefore: isoTime(c.notBefore),
    notAfter: isoTime(c.notAfter),
    check: 'ok',
  };
  try {
    const role = smkiRole(c.subject);
    if (role !== undefined) out.role = role.toString(16).padStart(2, '0');
    const entityId = smkiEntityId(c.subject);
    if (entityId) out.entityId = toHex(entityId);
  } catch {
    // a malformed OU or entity id is reported by the cell check below
  }
  if (c.subjectKeyId) out.keyId = toHex(c.subjectKeyId);
  try {
    checkCell(cell, der, now);
  } catch (e) {
    if (!isOtaError(e)) throw e;
    out.check = e.code;
    out.message = e.message;
  }
  return out;
}
