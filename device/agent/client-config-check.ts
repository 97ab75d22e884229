/**
 * Range checks on the OTA client's configuration against the Zigbee OTA cluster spec
 * (REFERENCE.md §2) and what the client's own timers can hold. A build with a value out
 * of range is refused at start with CLIENT_CONFIG naming the field, instead of sending
 * queries a server drops (an image type ≥ 0xFFC0) or never finishing.
 *
 * | field                 | range                          | why |
 * |-----------------------|--------------------------------|-----|
 * | manufacturerCode      | 0x0000..0xFFFE                 | 0xFFFF is the wildcard, not a manufacturer |
 * | imageType             | 0x0000..0xFFBF                 | 0xFFC0.. are security credential, configuration, log, reserved, wildcard |
 * | currentFileVersion    | 0x00000000..0xFFFFFFFE         | 0xFFFFFFFF is the wildcard file version |
 * | hardwareVersion       | 0x0000..0xFFFF, when set       | a 16-bit field of Query Next Image |
 * | capacity              | 56..0xFFFFFFFF                 | an OTA header at least; total image size is 32-bit |
 * | maxDataSize           | 1..255                         | an 8-bit field of Image Block Request |
 * | every *Ms timing      | 0..2^31−1 ms (intervals ≥ 1)   | a platform timer's range (about 24.8 days) |
 * | backoffMaxMs          | ≥ backoffBaseMs                | the doubling is capped by it |
 * | maxErrors, maxWaitForData | 1..65535                   | at least one attempt; counters stay small |
 */
import { OtaError } from '../errors.js';
import { FIRST_RESERVED_IMAGE_TYPE, WILDCARD_FILE_VERSION, WILDCARD_MANUFACTURER } from '../zigbee/index.js';
import type { OtaClientConfig } from './ota-client-config.js';
import { OtaClientError } from './ota-errors.js';

export const CLIENT_CONFIG_ERROR = OtaClientError.clientConfig;

/** Longest delay a platform timer takes (signed 32-bit milliseconds). */
export const MAX_TIMER_MS = 0x7fffffff;
/** Smallest OTA file: the header without optional fields. */
const MIN_CAPACITY = 56;

function integerIn(config: OtaClientConfig, field: keyof OtaClientConfig, min: number, max: number, why: string): void {
  const v = config[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new OtaError(CLIENT_CONFIG_ERROR, `${field} = ${String(v)} outside ${min}..${max}: ${why}`);
  }
}

/** Throws OtaError CLIENT_CONFIG naming the first field out of range. */
export function checkClientConfig(config: OtaClientConfig): void {
  if (!config || typeof config !== 'object') throw new OtaError(CLIENT_CONFIG_ERROR, 'no client configuration');
  integerIn(config, 'manufacturerCode', 0, WILDCARD_MANUFACTURER - 1, '0xFFFF is the wildcard');
  integerIn(
    config,
    'imageType',
    0,
    FIRST_RESERVED_IMAGE_TYPE - 1,
    'image types from 0xFFC0 are reserved by the Zigbee OTA spec',
  );
  integerIn(config, 'currentFileVersion', 0, WILDCARD_FILE_VERSION - 1, '0xFFFFFFFF is the wildcard file version');
  if (config.hardwareVersion !== undefined) integerIn(config, 'hardwareVersion', 0, 0xffff, 'a 16-bit field');
  integerIn(config, 'capacity', MIN_CAPACITY, 0xffffffff, 'an OTA header at least, and a 32-bit total size');
  integerIn(config, 'maxDataSize', 1, 255, 'an 8-bit field of Image Block Request');
  integerIn(config, 'queryIntervalMs', 1, MAX_TIMER_MS, 'a timer period');
  integerIn(config, 'notifyDelayMaxMs', 0, MAX_TIMER_MS, 'a timer delay');
  integerIn(config, 'responseTimeoutMs', 1, MAX_TIMER_MS, 'a timer period');
  integerIn(config, 'backoffBaseMs', 1, MAX_TIMER_MS, 'a timer period');
  integerIn(
    config,
    'backoffMaxMs',
    config.backoffBaseMs,
    MAX_TIMER_MS,
    'the cap of a doubling that starts at backoffBaseMs',
  );
  integerIn(config, 'maxErrors', 1, 0xffff, 'at least one attempt');
  integerIn(config, 'maxWaitForData', 1, 0xffff, 'at least one wait');
  integerIn(config, 'maxServerWaitMs', 1, MAX_TIMER_MS, 'a timer period');
}
