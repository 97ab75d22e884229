/**
 * An Upgrade End Response counts whenever it comes (SECMP0007): one that arrives after
 * the download, unasked, activates the held image when it names it (or wildcards).
 * Pure: a frame and the held image's identity in, a trigger or nothing out.
 */
import { decodeOtaFrame, WILDCARD_FILE_VERSION, WILDCARD_IMAGE_TYPE, WILDCARD_MANUFACTURER } from '../zigbee/index.js';
import { triggerFromUpgradeEnd, type ActivationTrigger } from './activation.js';

export interface HeldIdentity {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
}

/** The trigger an Upgrade End Response naming `held` carries; undefined for any other frame (malformed ones included). */
export function upgradeEndTrigger(frame: Uint8Array, held: HeldIdentity): ActivationTrigger | undefined {
  let c;
  try {
    c = decodeOtaFrame(frame).command;
  } catch {
    return undefined; // the OTA client sees the frame too, and counts it
  }
  if (c.name !== 'upgradeEndResponse') return undefined;
  const names =
    (c.manufacturerCode === held.manufacturerCode || c.manufacturerCode === WILDCARD_MANUFACTURER) &&
    (c.imageType === held.imageType || c.imageType === WILDCARD_IMAGE_TYPE) &&
    (c.fileVersion === held.fileVersion || c.fileVersion === WILDCARD_FILE_VERSION);
  return names ? triggerFromUpgradeEnd(c.currentTime, c.upgradeTime) : undefined;
}
