/**
 * The public face of device/pki: what device/image, device/agent and tools use. The
 * implementation lives beside this file (DER reader, X.509 parser, profiles, path
 * validation); this file only fixes the names and shapes.
 */
import type { P256Verifier, Sha256, WallTime } from '../ports.js';

/** Certificate profile used for path validation. */
export type CertProfile =
  /** GB SMKI (GBCS §12): critical keyUsage, critical certificatePolicies, 8-octet SKI/AKI, role in OU, entity id. */
  | 'smki'
  /** RFC 5280 §6.1 basic path validation restricted to P-256 / ecdsa-with-SHA256 (the manufacturer chain). */
  | 'rfc5280';

/** Replaceable trust anchor cells on the device (GBCS: keyed by role). */
export type AnchorCell = 'root' | 'recovery' | 'supplier1' | 'supplier2';
export const ANCHOR_CELLS: readonly AnchorCell[] = ['root', 'recovery', 'supplier1', 'supplier2'];

/**
 * The device's trust: the replaceable SMKI cells (each a DER certificate, or absent) and
 * the manufacturer anchor, a constant of the firmware build (DER certificate).
 */
export interface TrustStore {
  cells: Partial<Record<AnchorCell, Uint8Array>>;
  manufacturerAnchor: Uint8Array;
  /**
   * The counter of the last credential replacement applied to these cells (absent: none
   * since provisioning). Kept with the cells, in the same record, so the two never part.
   */
  counter?: number;
}

/** Crypto the validator needs, from the device's ports. */
export interface PkiCrypto {
  sha256: Sha256;
  p256: P256Verifier;
}

export interface ChainOptions {
  profile: CertProfile;
  /** Validity is checked only when this is given and `trusted`; otherwise skipped and said so. */
  now?: WallTime;
  crypto: PkiCrypto;
  /** SMKI only: the role (OU, e.g. 0x02 Supplier) the leaf must have. */
  leafRole?: number;
  /**
   * Certificate policy OIDs the device accepts (RFC 5280 user-initial-policy-set with an
   * explicit policy required). When given, some accepted policy must run through the
   * whole chain. When absent, policies are not interpreted.
   */
  acceptedPolicies?: string[];
}

export interface VerifiedChain {
  /** The leaf's SEC1 uncompressed P-256 public key (65 bytes). */
  leafPublicKey: Uint8Array;
  /** Index into the anchors given of the anchor the path ended at. */
  anchorIndex: number;
  /** False when validity times were not checked (no trusted wall time). */
  timeChecked: boolean;
  /** SMKI only: the leaf's role (OU as a number, e.g. 0x02 Supplier). */
  leafRole?: number;
  /** SMKI only: the leaf's 8-byte Entity Identifier (x500UniqueIdentifier). */
  leafEntityId?: Uint8Array;
}
