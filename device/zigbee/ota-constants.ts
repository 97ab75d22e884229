/** Numbers of the Zigbee OTA Upgrade cluster (0x0019) the client and the emulated server share. */

export const OTA_CLUSTER_ID = 0x0019;

/** Command identifiers, by direction (the same number means different commands each way). */
export const ClientCommand = {
  queryNextImageRequest: 0x01,
  imageBlockRequest: 0x03,
  imagePageRequest: 0x04,
  upgradeEndRequest: 0x06,
} as const;

export const ServerCommand = {
  imageNotify: 0x00,
  queryNextImageResponse: 0x02,
  imageBlockResponse: 0x05,
  upgradeEndResponse: 0x07,
} as const;

/** ZCL general command carried in a global frame: the only one the client reads. */
export const DEFAULT_RESPONSE_COMMAND = 0x0b;

export const OtaStatus = {
  success: 0x00,
  failure: 0x01,
  notAuthorized: 0x7e,
  malformedCommand: 0x80,
  abort: 0x95,
  invalidImage: 0x96,
  waitForData: 0x97,
  noImageAvailable: 0x98,
  requireMoreImage: 0x99,
} as const;
export type OtaStatusCode = (typeof OtaStatus)[keyof typeof OtaStatus];

/** Client attribute identifiers. */
export const OtaAttribute = {
  upgradeServerId: 0x0000,
  fileOffset: 0x0001,
  currentFileVersion: 0x0002,
  downloadedFileVersion: 0x0004,
  imageUpgradeStatus: 0x0006,
  manufacturerId: 0x0007,
  imageTypeId: 0x0008,
  minimumBlockPeriod: 0x0009,
} as const;

/** ImageUpgradeStatus values. */
export const UpgradeStatus = {
  normal: 0,
  downloadInProgress: 1,
  downloadComplete: 2,
  waitingToUpgrade: 3,
  countDown: 4,
  waitForMore: 5,
  waitingForExternalEvent: 6,
} as const;

/** Upgrade End Response upgrade time meaning "wait for an explicit activation command" (GBCS 11.2.1). */
export const UPGRADE_TIME_WAIT_FOR_COMMAND = 0xffffffff;

export const WILDCARD_MANUFACTURER = 0xffff;
export const WILDCARD_IMAGE_TYPE = 0xffff;
export const WILDCARD_FILE_VERSION = 0xffffffff;

/**
 * Image types from here up are not a manufacturer's to use (Zigbee OTA: 0xFFC0 security
 * credential, 0xFFC1 configuration, 0xFFC2 log, up to 0xFFFE reserved, 0xFFFF wildcard);
 * zigbee-herdsman drops a query naming one.
 */
export const FIRST_RESERVED_IMAGE_TYPE = 0xffc0;
/** Image Notify QueryJitter is a percentage: 1..100 (ZCL 11.13.3.2.1; 0 would ask no device to answer). */
export const MAX_QUERY_JITTER = 100;

/** Largest data size a block response can carry (the size field is one byte). */
export const MAX_BLOCK_DATA = 255;
