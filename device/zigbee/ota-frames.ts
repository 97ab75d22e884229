/**
 * OTA Upgrade cluster frames, both directions, ZCL header included: bytes in, bytes out.
 *
 * Decoding is strict: a field cut short is ZCL_TRUNCATED, bytes left over after the last
 * field are ZCL_TRAILING_BYTES (a block response whose data-size byte disagrees with the
 * bytes carried is therefore caught, not guessed at), an unknown command for the frame's
 * direction is ZCL_UNKNOWN_COMMAND, a manufacturer-specific frame is
 * ZCL_MANUFACTURER_SPECIFIC (this cluster defines none). A decoded block keeps a view
 * into the frame, so decoding allocates nothing in proportion to the image.
 */
import { OtaError } from '../errors.js';
import { writeU16, writeU32 } from '../util/index.js';
import {
  ClientCommand,
  DEFAULT_RESPONSE_COMMAND,
  MAX_BLOCK_DATA,
  MAX_QUERY_JITTER,
  OtaStatus,
  ServerCommand,
} from './ota-constants.js';
import { Direction, FrameType, headerLength, writeHeader, type ZclHeader } from './zcl-header.js';
import { ZclError } from './zigbee-errors.js';

// Decoding lives in ota-frame-decode.ts; re-exported so './ota-frames.js' stays the one place to import from.
export { decodeOtaFrame } from './ota-frame-decode.js';

export interface ImageId {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
}

export type OtaCommand =
  | {
      name: 'imageNotify';
      payloadType: 0 | 1 | 2 | 3;
      queryJitter: number;
      manufacturerCode?: number;
      imageType?: number;
      fileVersion?: number;
    }
  | {
      name: 'queryNextImageRequest';
      manufacturerCode: number;
      imageType: number;
      fileVersion: number;
      hardwareVersion?: number;
    }
  | { name: 'queryNextImageResponse'; status: number; image?: ImageId & { imageSize: number } }
  | {
      name: 'imageBlockRequest';
      manufacturerCode: number;
      imageType: number;
      fileVersion: number;
      fileOffset: number;
      maximumDataSize: number;
      requestNodeAddress?: Uint8Array;
      minimumBlockPeriod?: number;
    }
  | {
      name: 'imagePageRequest';
      manufacturerCode: number;
      imageType: number;
      fileVersion: number;
      fileOffset: number;
      maximumDataSize: number;
      pageSize: number;
      responseSpacing: number;
      requestNodeAddress?: Uint8Array;
    }
  | {
      name: 'imageBlockResponse';
      status: 0x00;
      manufacturerCode: number;
      imageType: number;
      fileVersion: number;
      fileOffset: number;
      data: Uint8Array;
    }
  | { name: 'imageBlockResponse'; status: 0x97; currentTime: number; requestTime: number; minimumBlockPeriod: number }
  | { name: 'imageBlockResponse'; status: 0x95 }
  | { name: 'upgradeEndRequest'; status: number; manufacturerCode: number; imageType: number; fileVersion: number }
  | {
      name: 'upgradeEndResponse';
      manufacturerCode: number;
      imageType: number;
      fileVersion: number;
      currentTime: number;
      upgradeTime: number;
    }
  /** A ZCL Default Response (global command 0x0B) sent back on this cluster. */
  | { name: 'defaultResponse'; commandId: number; status: number };

export type OtaCommandName = OtaCommand['name'];

export interface OtaFrame {
  sequence: number;
  /** Set only when a frame carried the manufacturer-specific bit (encoding only; decoding refuses it). */
  manufacturerCode?: number;
  disableDefaultResponse?: boolean;
  command: OtaCommand;
}

export interface DecodedOtaFrame {
  header: ZclHeader;
  command: OtaCommand;
}

const COMMAND_INFO: Record<OtaCommandName, { id: number; direction: 0 | 1; global?: boolean }> = {
  imageNotify: { id: ServerCommand.imageNotify, direction: Direction.serverToClient },
  queryNextImageRequest: { id: ClientCommand.queryNextImageRequest, direction: Direction.clientToServer },
  queryNextImageResponse: { id: ServerCommand.queryNextImageResponse, direction: Direction.serverToClient },
  imageBlockRequest: { id: ClientCommand.imageBlockRequest, direction: Direction.clientToServer },
  imagePageRequest: { id: ClientCommand.imagePageRequest, direction: Direction.clientToServer },
  imageBlockResponse: { id: ServerCommand.imageBlockResponse, direction: Direction.serverToClient },
  upgradeEndRequest: { id: ClientCommand.upgradeEndRequest, direction: Direction.clientToServer },
  upgradeEndResponse: { id: ServerCommand.upgradeEndResponse, direction: Direction.serverToClient },
  // Either side may send one; the direction is given at encoding time by `defaultResponseDirection`.
  defaultResponse: { id: DEFAULT_RESPONSE_COMMAND, direction: Direction.serverToClient, global: true },
};

// ---------------------------------------------------------------------------------------
// Encoding

/** Writes fields into a growing byte list; OTA frames are at most a few hundred bytes. */
class Writer {
  readonly buf: Uint8Array;
  offset = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  u8(v: number): void {
    checkRange(v, 0xff);
    this.buf[this.offset++] = v;
  }
  u16(v: number): void {
    checkRange(v, 0xffff);
    writeU16(this.buf, this.offset, v);
    this.offset += 2;
  }
  u32(v: number): void {
    checkRange(v, 0xffffffff);
    writeU32(this.buf, this.offset, v);
    this.offset += 4;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.offset);
    this.offset += b.length;
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.offset);
  }
}

function checkRange(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new OtaError(ZclError.fieldRange, `field value ${v} outside 0..${max}`);
}

function writeId(w: Writer, id: ImageId): void {
  w.u16(id.manufacturerCode);
  w.u16(id.imageType);
  w.u32(id.fileVersion);
}

/**
 * Encodes one frame. `defaultResponseDirection` says who sends a Default Response (the
 * other commands carry their direction in their name). Throws OtaError ZCL_FIELD_RANGE for
 * a field that does not fit its type.
 */
export function encodeOtaFrame(
  frame: OtaFrame,
  defaultResponseDirection: 0 | 1 = Direction.serverToClient,
): Uint8Array {
  const c = frame.command;
  const info = COMMAND_INFO[c.name];
  const header: ZclHeader = {
    frameType: info.global ? FrameType.global : FrameType.clusterSpecific,
    direction: c.name === 'defaultResponse' ? defaultResponseDirection : info.direction,
    // Responses go without a Default Response; requests leave the default as the stacks do.
    disableDefaultResponse: frame.disableDefaultResponse ?? info.direction === Direction.serverToClient,
    sequence: frame.sequence,
    commandId: info.id,
  };
  if (frame.manufacturerCode !== undefined) header.manufacturerCode = frame.manufacturerCode;
  const w = new Writer(headerLength(header) + 32 + MAX_BLOCK_DATA);
  checkRange(frame.sequence, 0xff);
  w.offset = writeHeader(header, w.buf);
  switch (c.name) {
    case 'imageNotify':
      w.u8(c.payloadType);
      // The decoder refuses a jitter over 100, so the encoder never writes one.
      if (!Number.isInteger(c.queryJitter) || c.queryJitter < 1 || c.queryJitter > MAX_QUERY_JITTER) {
        throw new OtaError(
          ZclError.fieldRange,
          `Image Notify query jitter ${c.queryJitter} outside 1..${MAX_QUERY_JITTER}`,
        );
      }
      w.u8(c.queryJitter);
      if (c.payloadType >= 1) w.u16(req(c.manufacturerCode));
      if (c.payloadType >= 2) w.u16(req(c.imageType));
      if (c.payloadType >= 3) w.u32(req(c.fileVersion));
      break;
    case 'queryNextImageRequest':
      w.u8(c.hardwareVersion === undefined ? 0 : 1);
      writeId(w, c);
      if (c.hardwareVersion !== undefined) w.u16(c.hardwareVersion);
      break;
    case 'queryNextImageResponse':
      w.u8(c.status);
      if (c.status === OtaStatus.success) {
        const img = c.image;
        if (!img) throw new OtaError(ZclError.fieldRange, 'a SUCCESS Query Next Image Response needs its image');
        writeId(w, img);
        w.u32(img.imageSize);
      }
      break;
    case 'imageBlockRequest':
      w.u8((c.requestNodeAddress ? 1 : 0) | (c.minimumBlockPeriod !== undefined ? 2 : 0));
      writeId(w, c);
      w.u32(c.fileOffset);
      w.u8(c.maximumDataSize);
      if (c.requestNodeAddress) w.bytes(ieee(c.requestNodeAddress));
      if (c.minimumBlockPeriod !== undefined) w.u16(c.minimumBlockPeriod);
      break;
    case 'imagePageRequest':
      w.u8(c.requestNodeAddress ? 1 : 0);
      writeId(w, c);
      w.u32(c.fileOffset);
      w.u8(c.maximumDataSize);
      w.u16(c.pageSize);
      w.u16(c.responseSpacing);
      if (c.requestNodeAddress) w.bytes(ieee(c.requestNodeAddress));
      break;
    case 'imageBlockResponse':
      w.u8(c.status);
      if (c.status === OtaStatus.success) {
        writeId(w, c);
        w.u32(c.fileOffset);
        w.u8(c.data.length);
        w.bytes(c.data);
      } else if (c.status === OtaStatus.waitForData) {
        w.u32(c.currentTime);
        w.u32(c.requestTime);
        w.u16(c.minimumBlockPeriod);
      }
      break;
    case 'upgradeEndRequest':
      w.u8(c.status);
      writeId(w, c);
      break;
    case 'upgradeEndResponse':
      writeId(w, c);
      w.u32(c.currentTime);
      w.u32(c.upgradeTime);
      break;
    case 'defaultResponse':
      w.u8(c.commandId);
      w.u8(c.status);
      break;
  }
  return w.done().slice();
}

function req(v: number | undefined): number {
  if (v === undefined)
    throw new OtaError(ZclError.fieldRange, 'Image Notify payload type needs a field that is missing');
  return v;
}

function ieee(a: Uint8Array): Uint8Array {
  if (a.length !== 8) throw new OtaError(ZclError.fieldRange, 'an IEEE address is 8 bytes');
  return a;
}
