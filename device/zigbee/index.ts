/** device/zigbee's public surface: other folders and tools import from here only. */
export {
  FIRST_RESERVED_IMAGE_TYPE,
  OtaStatus,
  UPGRADE_TIME_WAIT_FOR_COMMAND,
  UpgradeStatus,
  WILDCARD_FILE_VERSION,
  WILDCARD_IMAGE_TYPE,
  WILDCARD_MANUFACTURER,
} from './ota-constants.js';
export { type DecodedOtaFrame, type OtaCommand, decodeOtaFrame, encodeOtaFrame } from './ota-frames.js';
export { ZclError, type ZclErrorCode } from './zigbee-errors.js';
