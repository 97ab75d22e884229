/**
 * The device trust store file the tools read and write (`verify --trust STORE`). Its
 * bytes are exactly the device's own encoding (device/pki/trust-store.ts, documented in
 * docs/PKI.md): what a test device holds and what the tools check against are one thing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { TrustStore } from '../../device/pki/api.js';
import { decodeTrustStore, encodeTrustStore } from '../../device/pki/trust-store.js';

/** Reads and strictly decodes a trust store file. Throws OtaError (PKI_TRUST_STORE_*) on bad content. */
export function loadTrustStoreFile(path: string): TrustStore {
  return decodeTrustStore(Uint8Array.from(readFileSync(path)));
}

export function saveTrustStoreFile(path: string, store: TrustStore): void {
  writeFileSync(path, encodeTrustStore(store));
}
