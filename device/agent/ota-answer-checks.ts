/**
 * The OTA client's checks of what a server offers and answers: pure functions of the
 * answer and what the client asked, each returning the typed refusal (docs/OTA-CLIENT.md,
 * "Image Block Response while downloading"; docs/HOSTILE-SERVER.md).
 */
import { OtaError } from '../errors.js';
import { WILDCARD_FILE_VERSION, WILDCARD_IMAGE_TYPE, WILDCARD_MANUFACTURER, type OtaCommand } from '../zigbee/index.js';
import type { ImageIdentity } from './image-sink.js';
import { OtaClientError } from './ota-errors.js';

/** The smallest OTA file: its header alone. */
const OTA_HEADER_BYTES = 56;

/** Only a newer image for this manufacturer and type, that fits, is downloaded. */
export function offerRefusal(
  config: { manufacturerCode: number; imageType: number; currentFileVersion: number; capacity: number },
  offered: ImageIdentity,
): OtaError | undefined {
  const { manufacturerCode, imageType, fileVersion, imageSize } = offered;
  if (manufacturerCode !== config.manufacturerCode || imageType !== config.imageType) {
    return new OtaError(
      OtaClientError.offerMismatch,
      `offer for manufacturer 0x${manufacturerCode.toString(16)} type 0x${imageType.toString(16)}`,
    );
  }
  if (fileVersion === WILDCARD_FILE_VERSION || fileVersion <= config.currentFileVersion) {
    const running = config.currentFileVersion.toString(16);
    return new OtaError(
      OtaClientError.offerNotNewer,
      `offered version 0x${fileVersion.toString(16)} is not newer than 0x${running}`,
    );
  }
  if (imageSize > config.capacity)
    return new OtaError(OtaClientError.offerTooLarge, `image of ${imageSize} bytes, room for ${config.capacity}`);
  if (imageSize < OTA_HEADER_BYTES)
    return new OtaError(OtaClientError.offerTooSmall, `image of ${imageSize} bytes cannot hold an OTA header`);
  return undefined;
}

type BlockData = Extract<OtaCommand, { name: 'imageBlockResponse'; status: 0x00 }>;

/** What was asked: the offset, the most data a block may carry, the data size of the request in flight. */
export interface BlockAsked {
  offset: number;
  maxDataSize: number;
  askedSize: number;
  inFlight: boolean;
}

/**
 * A SUCCESS Image Block Response: `take` it, drop it as a `duplicate` (a late copy of a
 * block already taken), or the refusal. The echo must name the image being downloaded and
 * the offset asked; the data must be 1..asked bytes and end within the image.
 */
export function blockVerdict(
  block: BlockData,
  image: ImageIdentity,
  asked: BlockAsked,
): 'take' | 'duplicate' | OtaError {
  const { offset } = asked;
  const length = block.data.length;
  if (
    block.manufacturerCode !== image.manufacturerCode ||
    block.imageType !== image.imageType ||
    block.fileVersion !== image.fileVersion
  ) {
    const named = `0x${block.manufacturerCode.toString(16)}/0x${block.imageType.toString(16)}/0x${block.fileVersion.toString(16)}`;
    return new OtaError(OtaClientError.blockWrongImage, `block for ${named}`);
  }
  if (block.fileOffset < offset && block.fileOffset + length <= offset) return 'duplicate';
  if (block.fileOffset !== offset)
    return new OtaError(OtaClientError.blockWrongOffset, `asked offset ${offset}, got ${block.fileOffset}`);
  if (length > image.imageSize - offset) {
    return new OtaError(
      OtaClientError.blockPastEnd,
      `${length} bytes at ${block.fileOffset} run past the image end ${image.imageSize}`,
    );
  }
  if (length > asked.maxDataSize || (asked.inFlight && length > asked.askedSize)) {
    return new OtaError(OtaClientError.blockTooLong, `${length} bytes, asked at most ${asked.askedSize}`);
  }
  if (length === 0) return new OtaError(OtaClientError.blockEmpty, `empty block at ${block.fileOffset}`);
  return 'take';
}

/**
 * How long a WAIT_FOR_DATA answer holds the next request: requestTime − currentTime seconds
 * (requestTime when currentTime is 0, as for the Upgrade End Response), at most `maxWaitMs`
 * (a hostile value cannot freeze the client), and never less than the MinimumBlockPeriod.
 */
export function serverWaitMs(
  wait: { currentTime: number; requestTime: number; minimumBlockPeriod: number },
  maxWaitMs: number,
): number {
  const seconds = wait.currentTime === 0 ? wait.requestTime : Math.max(0, wait.requestTime - wait.currentTime);
  return Math.max(Math.min(maxWaitMs, seconds * 1000), wait.minimumBlockPeriod, 1);
}

/** An Upgrade End Response names the image downloaded, field by field or by wildcard. */
export function endResponseNames(
  end: { manufacturerCode: number; imageType: number; fileVersion: number },
  image: ImageIdentity,
): boolean {
  return (
    (end.manufacturerCode === image.manufacturerCode || end.manufacturerCode === WILDCARD_MANUFACTURER) &&
    (end.imageType === image.imageType || end.imageType === WILDCARD_IMAGE_TYPE) &&
    (end.fileVersion === image.fileVersion || end.fileVersion === WILDCARD_FILE_VERSION)
  );
}
