/**
 * The build's identity and defaults for the agent on a device: what the firmware image is
 * (manufacturer, image type, hardware), where its flash region's parts go, and how the
 * trust store is found (the manufacturer anchor is a constant of the build; the SMKI cells
 * live in the journal's TRUST_ANCHORS record, put there at provisioning).
 */
import { decodeTrustStore } from '../pki/trust-store.js';
import type { TrustStore } from '../pki/api.js';
import type { Flash } from '../ports.js';
import { Journal } from '../storage/journal.js';
import { readTrustAnchors } from '../storage/journal-records.js';
import { makeLayout, type LayoutConfig } from '../storage/layout.js';
import { OtaError, asOtaError } from '../errors.js';
import { AgentError } from './agent-errors.js';

export interface DeviceBuild {
  manufacturerCode: number;
  imageType: number;
  hardwareVersion: number;
  layout: LayoutConfig;
}

/** The values a product replaces in its own build. */
export const DEFAULT_BUILD: DeviceBuild = {
  manufacturerCode: 0x1234,
  imageType: 0x0042,
  hardwareVersion: 2,
  layout: { bankSize: 1024 * 1024, metadataSize: 8192 },
};

/** The trust store provisioned into the journal, or a typed error saying why there is none. */
export function loadTrustStore(flash: Flash, build: DeviceBuild): TrustStore {
  let bytes: Uint8Array | undefined;
  try {
    bytes = readTrustAnchors(Journal.open(flash, makeLayout(flash, build.layout)));
  } catch (e) {
    throw asOtaError(e, AgentError.trustStoreRead);
  }
  if (!bytes) throw new OtaError(AgentError.trustStoreMissing, 'no TRUST_ANCHORS record: the device was not provisioned');
  return decodeTrustStore(bytes);
}
