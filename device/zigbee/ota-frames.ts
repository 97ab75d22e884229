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
import { readU16, readU32, writeU16, writeU32 } from '../util/index.js';
import {
  ClientCommand,
  DEFAULT_RESPONSE_COMMAND,
  MAX_BLOCK_DATA,
  MAX_QUERY_JITTER,
  OtaStatus,
  ServerCommand,
} from './ota-constants.js';
import { Direction, FrameType, headerLength, readHeader, writeHeader, type ZclHeader } from './zcl-header.js';
import { ZclError } from './zigbee-errors.js';

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

// ---------------------------------------------------------------------------------------
// Decoding

class Reader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    offset: number,
    readonly what: string,
  ) {
    this.offset = offset;
  }
  need(n: number): void {
    if (this.offset + n > this.bytes.length)
      throw new OtaError(ZclError.truncated, `${this.what} cut short at byte ${this.offset} (needs ${n} more)`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }
  u16(): number {
    this.need(2);
    const v = readU16(this.bytes, this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = readU32(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }
  view(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  end(): void {
    if (this.offset !== this.bytes.length)
      throw new OtaError(
        ZclError.trailingBytes,
        `${this.what}: ${this.bytes.length - this.offset} bytes after the last field`,
      );
  }
}

/** Decodes one OTA cluster frame of either direction. Throws a typed OtaError for anything malformed. */
export function decodeOtaFrame(frame: Uint8Array): DecodedOtaFrame {
  const { header, payloadOffset } = readHeader(frame);
  if (header.manufacturerCode !== undefined) {
    throw new OtaError(
      ZclError.manufacturerSpecific,
      `manufacturer-specific command 0x${header.commandId.toString(16)} (code 0x${header.manufacturerCode.toString(16)})`,
    );
  }
  if (header.frameType === FrameType.global) {
    if (header.commandId !== DEFAULT_RESPONSE_COMMAND)
      throw new OtaError(
        ZclError.unknownCommand,
        `global command 0x${header.commandId.toString(16)} is not handled on this cluster`,
      );
    const r = new Reader(frame, payloadOffset, 'Default Response');
    const command: OtaCommand = { name: 'defaultResponse', commandId: r.u8(), status: r.u8() };
    r.end();
    return { header, command };
  }
  const command =
    header.direction === Direction.serverToClient
      ? decodeServerCommand(header.commandId, frame, payloadOffset)
      : decodeClientCommand(header.commandId, frame, payloadOffset);
  return { header, command };
}

function readId(r: Reader): ImageId {
  return { manufacturerCode: r.u16(), imageType: r.u16(), fileVersion: r.u32() };
}

function decodeServerCommand(id: number, frame: Uint8Array, payloadOffset: number): OtaCommand {
  switch (id) {
    case ServerCommand.imageNotify: {
      const r = new Reader(frame, payloadOffset, 'Image Notify');
      const payloadType = r.u8();
      if (payloadType > 3) throw new OtaError(ZclError.badField, `Image Notify payload type ${payloadType}`);
      const queryJitter = r.u8();
      if (queryJitter > 100) throw new OtaError(ZclError.badField, `Image Notify query jitter ${queryJitter} > 100`);
      const c: OtaCommand = { name: 'imageNotify', payloadType: payloadType as 0 | 1 | 2 | 3, queryJitter };
      if (payloadType >= 1) c.manufacturerCode = r.u16();
      if (payloadType >= 2) c.imageType = r.u16();
      if (payloadType >= 3) c.fileVersion = r.u32();
      r.end();
      return c;
    }
    case ServerCommand.queryNextImageResponse: {
      const r = new Reader(frame, payloadOffset, 'Query Next Image Response');
      const status = r.u8();
      if (status !== OtaStatus.success) {
        r.end();
        return { name: 'queryNextImageResponse', status };
      }
      const idv = readId(r);
      const c: OtaCommand = { name: 'queryNextImageResponse', status, image: { ...idv, imageSize: r.u32() } };
      r.end();
      return c;
    }
    case ServerCommand.imageBlockResponse: {
      const r = new Reader(frame, payloadOffset, 'Image Block Response');
      const status = r.u8();
      let c: OtaCommand;
      if (status === OtaStatus.success) {
        const idv = readId(r);
        const fileOffset = r.u32();
        const size = r.u8();
        c = { name: 'imageBlockResponse', status: 0x00, ...idv, fileOffset, data: r.view(size) };
      } else if (status === OtaStatus.waitForData) {
        c = {
          name: 'imageBlockResponse',
          status: 0x97,
          currentTime: r.u32(),
          requestTime: r.u32(),
          minimumBlockPeriod: r.u16(),
        };
      } else if (status === OtaStatus.abort) {
        c = { name: 'imageBlockResponse', status: 0x95 };
      } else {
        throw new OtaError(
          ZclError.badField,
          `Image Block Response status 0x${status.toString(16)} is none of SUCCESS, WAIT_FOR_DATA, ABORT`,
        );
      }
      r.end();
      return c;
    }
    case ServerCommand.upgradeEndResponse: {
      const r = new Reader(frame, payloadOffset, 'Upgrade End Response');
      const idv = readId(r);
      const c: OtaCommand = { name: 'upgradeEndResponse', ...idv, currentTime: r.u32(), upgradeTime: r.u32() };
      r.end();
      return c;
    }
    default:
      throw new OtaError(
        ZclError.unknownCommand,
        `server-to-client command 0x${id.toString(16)} is not an OTA command this client knows`,
      );
  }
}

/** A field-control byte with a reserved bit set would make the field list ambiguous. */
function fieldControl(r: Reader, known: number): number {
  const fc = r.u8();
  if (fc & ~known)
    throw new OtaError(ZclError.badField, `reserved field-control bits 0x${(fc & ~known).toString(16)} in ${r.what}`);
  return fc;
}

function decodeClientCommand(id: number, frame: Uint8Array, payloadOffset: number): OtaCommand {
  switch (id) {
    case ClientCommand.queryNextImageRequest: {
      const r = new Reader(frame, payloadOffset, 'Query Next Image Request');
      const fc = fieldControl(r, 1);
      const idv = readId(r);
      const c: OtaCommand = { name: 'queryNextImageRequest', ...idv };
      if (fc & 1) c.hardwareVersion = r.u16();
      r.end();
      return c;
    }
    case ClientCommand.imageBlockRequest: {
      const r = new Reader(frame, payloadOffset, 'Image Block Request');
      const fc = fieldControl(r, 3);
      const idv = readId(r);
      const c: OtaCommand = { name: 'imageBlockRequest', ...idv, fileOffset: r.u32(), maximumDataSize: r.u8() };
      if (fc & 1) c.requestNodeAddress = r.view(8);
      if (fc & 2) c.minimumBlockPeriod = r.u16();
      r.end();
      return c;
    }
    case ClientCommand.imagePageRequest: {
      const r = new Reader(frame, payloadOffset, 'Image Page Request');
      const fc = fieldControl(r, 1);
      const idv = readId(r);
      const c: OtaCommand = {
        name: 'imagePageRequest',
        ...idv,
        fileOffset: r.u32(),
        maximumDataSize: r.u8(),
        pageSize: r.u16(),
        responseSpacing: r.u16(),
      };
      if (fc & 1) c.requestNodeAddress = r.view(8);
      r.end();
      return c;
    }
    case ClientCommand.upgradeEndRequest: {
      const r = new Reader(frame, payloadOffset, 'Upgrade End Request');
      const status = r.u8();
      const c: OtaCommand = { name: 'upgradeEndRequest', status, ...readId(r) };
      r.end();
      return c;
    }
    default:
      throw new OtaError(
        ZclError.unknownCommand,
        `client-to-server command 0x${id.toString(16)} is not an OTA command`,
      );
  }
}
