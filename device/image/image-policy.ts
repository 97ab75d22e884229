/**
 * Verification policy: the choices the format leaves to the device, each a named
 * constant so that a product changes it in one place (docs/FORMAT.md "Policy").
 */

/**
 * The GBCS trailer (supplier signature) is required. The supplier signature is what
 * authorises an update in GB smart metering; a device that accepted images without it
 * would install anything its manufacturer ever signed, whoever offered it. The one public
 * PPMID sample without a trailer is a single vector of uncertain standing.
 */
export const SUPPLIER_SIGNATURE_REQUIRED = true;

/** Re-installing the running version is refused (a replayed image is the same version). */
export const ALLOW_SAME_VERSION = false;

/** Installing an older version is refused (rollback to a known-vulnerable image). */
export const ALLOW_DOWNGRADE = false;

export interface ImagePolicy {
  supplierSignatureRequired: boolean;
  allowSameVersion: boolean;
  allowDowngrade: boolean;
}

export const DEFAULT_IMAGE_POLICY: ImagePolicy = {
  supplierSignatureRequired: SUPPLIER_SIGNATURE_REQUIRED,
  allowSameVersion: ALLOW_SAME_VERSION,
  allowDowngrade: ALLOW_DOWNGRADE,
};
