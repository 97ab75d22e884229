/**
 * The device's trust store as a value: pure functions to read and replace anchor cells,
 * and one deterministic CBOR encoding (device/util/cbor.ts) for whoever persists it.
 *
 * Encoding (a CBOR map with integer keys, deterministic):
 *   0 → 1                       format version
 *   1 → bstr                    manufacturer anchor (DER certificate)
 *   2 → { cell index → bstr }   cells present: 0 root, 1 recovery, 2 supplier1, 3 supplier2
 *   3 → uint                    counter of the last credential replacement (absent when none)
 * Every certificate is parsed on decode, so a store that decodes holds only certificates
 * the validator can use. Building a store (createTrustStore, replaceCell) also checks each
 * certificate for its cell (cell-profile.ts); decoding does not, so that a store persisted
 * under older rules still loads: its cells are checked again each time they are used.
 */
import { asOtaError, OtaError } from '../errors.js';
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../util/index.js';
import { ANCHOR_CELLS, type AnchorCell, type TrustStore } from './api.js';
import type { WallTime } from '../ports.js';
import { checkCellCertificate, type CellKind } from './cell-profile.js';
import { parseCertificate, type Certificate } from './x509.js';
import { PkiError } from './pki-errors.js';

export const TrustStoreError = {
  malformed: 'PKI_TRUST_STORE_MALFORMED',
  version: 'PKI_TRUST_STORE_VERSION',
  badCertificate: 'PKI_TRUST_STORE_BAD_CERTIFICATE',
  unknownCell: 'PKI_TRUST_STORE_UNKNOWN_CELL',
} as const;

export const TRUST_STORE_FORMAT_VERSION = 1;

const KEY_VERSION = 0;
const KEY_MANUFACTURER = 1;
const KEY_CELLS = 2;
const KEY_COUNTER = 3;

function checkCertificate(der: unknown, what: string): Uint8Array {
  parsed(der, what);
  return der as Uint8Array;
}

function parsed(der: unknown, what: string): Certificate {
  if (!(der instanceof Uint8Array)) throw new OtaError(TrustStoreError.malformed, `${what} is not a byte string`);
  try {
    return parseCertificate(der);
  } catch (e) {
    const inner = asOtaError(e, PkiError.internal);
    throw new OtaError(TrustStoreError.badCertificate, `${what}: ${inner.message}`);
  }
}

/** Parses `der` (PKI_TRUST_STORE_BAD_CERTIFICATE) and checks it for its cell (docs/PKI.md "Cells"). */
function checkForCell(der: unknown, cell: CellKind, now: WallTime | undefined): Uint8Array {
  checkCellCertificate(cell, parsed(der, cell === 'manufacturer' ? 'manufacturer anchor' : `cell ${cell}`), now);
  return der as Uint8Array;
}

function cellIndex(cell: AnchorCell): number {
  const i = ANCHOR_CELLS.indexOf(cell);
  if (i < 0) throw new OtaError(TrustStoreError.unknownCell, `unknown anchor cell ${String(cell)}`);
  return i;
}

/**
 * A new store: the build's manufacturer anchor and the given cells. Each certificate is
 * parsed and checked for its cell (role, key usage, and validity when `now` is trusted).
 */
export function createTrustStore(
  manufacturerAnchor: Uint8Array,
  cells: Partial<Record<AnchorCell, Uint8Array>> = {},
  now?: WallTime,
): TrustStore {
  return typed(() => {
    for (const k of Object.keys(cells)) cellIndex(k as AnchorCell);
    let store: TrustStore = {
      cells: {},
      manufacturerAnchor: checkForCell(manufacturerAnchor, 'manufacturer', now).slice(),
    };
    for (const cell of ANCHOR_CELLS) {
      const der = cells[cell];
      if (der) store = replaceCell(store, cell, der, now);
    }
    return store;
  });
}

/**
 * A copy of `store` with `cell` holding `der` (or emptied when `der` is undefined), checked
 * for the cell as createTrustStore does. The manufacturer anchor never changes.
 */
export function replaceCell(
  store: TrustStore,
  cell: AnchorCell,
  der: Uint8Array | undefined,
  now?: WallTime,
): TrustStore {
  return typed(() => {
    cellIndex(cell);
    const cells: Partial<Record<AnchorCell, Uint8Array>> = { ...store.cells };
    if (der === undefined) delete cells[cell];
    else cells[cell] = checkForCell(der, cell, now).slice();
    const next: TrustStore = { cells, manufacturerAnchor: store.manufacturerAnchor };
    if (store.counter !== undefined) next.counter = store.counter;
    return next;
  });
}

/** The Supplier cells that hold a certificate, in cell order (split supply: either may sign). */
export function supplierAnchors(store: TrustStore): Uint8Array[] {
  return typed(() => {
    const out: Uint8Array[] = [];
    if (store.cells.supplier1) out.push(store.cells.supplier1);
    if (store.cells.supplier2) out.push(store.cells.supplier2);
    return out;
  });
}

/** Runs `fn`, turning anything but an OtaError into PKI_TRUST_STORE_MALFORMED (a store value of the wrong shape). */
function typed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asOtaError(e, TrustStoreError.malformed);
  }
}

/** The deterministic CBOR encoding of `store`. */
export function encodeTrustStore(store: TrustStore): Uint8Array {
  try {
    const cells: CborMap = new Map();
    for (let i = 0; i < ANCHOR_CELLS.length; i++) {
      const der = store.cells[ANCHOR_CELLS[i]];
      if (der) cells.set(i, checkCertificate(der, `cell ${ANCHOR_CELLS[i]}`));
    }
    for (const k of Object.keys(store.cells)) cellIndex(k as AnchorCell);
    const top: CborMap = new Map<number, CborValue>([
      [KEY_VERSION, TRUST_STORE_FORMAT_VERSION],
      [KEY_MANUFACTURER, checkCertificate(store.manufacturerAnchor, 'manufacturer anchor')],
      [KEY_CELLS, cells],
    ]);
    if (store.counter !== undefined) {
      if (!Number.isSafeInteger(store.counter) || store.counter < 1)
        throw new OtaError(TrustStoreError.malformed, `counter ${String(store.counter)}`);
      top.set(KEY_COUNTER, store.counter);
    }
    return encodeCbor(top);
  } catch (e) {
    throw asOtaError(e, TrustStoreError.malformed);
  }
}

/** Decodes a store strictly: the keys above (the counter optional), known cells only, every certificate parsed. */
export function decodeTrustStore(bytes: Uint8Array): TrustStore {
  try {
    const top = decodeCbor(bytes, { maxDepth: 3 });
    if (!(top instanceof Map)) throw new OtaError(TrustStoreError.malformed, 'not a CBOR map');
    for (const k of top.keys()) {
      if (k !== KEY_VERSION && k !== KEY_MANUFACTURER && k !== KEY_CELLS && k !== KEY_COUNTER)
        throw new OtaError(TrustStoreError.malformed, `unknown key ${String(k)}`);
    }
    if (top.get(KEY_VERSION) !== TRUST_STORE_FORMAT_VERSION)
      throw new OtaError(TrustStoreError.version, `format version ${String(top.get(KEY_VERSION))}`);
    const manufacturerAnchor = checkCertificate(top.get(KEY_MANUFACTURER), 'manufacturer anchor');
    const cellMap = top.get(KEY_CELLS);
    if (!(cellMap instanceof Map)) throw new OtaError(TrustStoreError.malformed, 'cells is not a map');
    const cells: Partial<Record<AnchorCell, Uint8Array>> = {};
    for (const [k, v] of cellMap) {
      if (typeof k !== 'number' || k < 0 || k >= ANCHOR_CELLS.length)
        throw new OtaError(TrustStoreError.unknownCell, `unknown cell ${String(k)}`);
      cells[ANCHOR_CELLS[k]] = checkCertificate(v, `cell ${ANCHOR_CELLS[k]}`);
    }
    const store: TrustStore = { cells, manufacturerAnchor };
    const counter = top.get(KEY_COUNTER);
    if (counter !== undefined) {
      if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 1)
        throw new OtaError(TrustStoreError.malformed, 'counter is not an unsigned integer above 0');
      store.counter = counter;
    }
    return store;
  } catch (e) {
    throw asOtaError(e, TrustStoreError.malformed);
  }
}
