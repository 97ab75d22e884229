/**
 * The build's identity and defaults for the agent on a device: what the firmware image is
 * (manufacturer, image type, hardware), where its flash region's parts go, and how the
 * trust store is found (the manufacturer anchor is a constant of the build; the SMKI cells
 * live in the kept record, two copies in their own sectors, and in the journal's
 * TRUST_ANCHORS record, both written at provisioning: one bad sector loses neither).
 */
import { decodeTrustStore, type TrustStore } from '../pki/index.js';
import type { Flash } from '../ports.js';
import {
  Journal,
  readTrustAnchors,
  recordTrustAnchors,
  keepTrustAnchors,
  readKept,
  makeLayout,
  type LayoutConfig,
} from '../storage/index.js';
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

/**
 * The provisioned trust store: from the kept record, else from the journal's copy; a typed
 * error saying why there is none. A copy that does not decode is passed over for the other.
 */
export function loadTrustStore(flash: Flash, build: DeviceBuild): TrustStore {
  let layout;
  try {
    layout = makeLayout(flash, build.layout);
  } catch (e) {
    throw asOtaError(e, AgentError.trustStoreRead);
  }
  let kept: Uint8Array | undefined;
  let journal: Uint8Array | undefined;
  let failure: unknown;
  try {
    kept = readKept(flash, layout)?.trustAnchors;
  } catch (e) {
    failure = e;
  }
  if (kept) {
    try {
      return decodeTrustStore(kept);
    } catch (e) {
      failure = e;
    }
  }
  try {
    journal = readTrustAnchors(Journal.open(flash, layout));
  } catch (e) {
    throw asOtaError(failure ?? e, AgentError.trustStoreRead);
  }
  // An empty copy was cleared by a credential replacement too large for it (credential-store.ts): none.
  if (!journal || journal.length === 0) {
    if (failure) throw asOtaError(failure, AgentError.trustStoreRead);
    throw new OtaError(
      AgentError.trustStoreMissing,
      'no trust anchors in the kept record or the journal: the device was not provisioned',
    );
  }
  return decodeTrustStore(journal);
}

/**
 * Provisioning step (factory or the vendor's tool): the trust anchors into the kept record
 * and into the journal, so either alone is enough.
 */
export function provisionTrustAnchors(flash: Flash, build: DeviceBuild, bytes: Uint8Array): void {
  const layout = makeLayout(flash, build.layout);
  keepTrustAnchors(flash, layout, bytes);
  recordTrustAnchors(Journal.open(flash, layout), bytes);
}
