/**
 * Decoding of OTA Upgrade cluster frames (both directions); the strict rules are set out in
 * ota-frames.ts, which also encodes and re-exports `decodeOtaFrame`.
 */
import { OtaError } from '../errors.js';
import { readU16, readU32 } from '../util/index.js';
import { ClientCommand, DEFAULT_RESPONSE_COMMAND, OtaStatus, ServerCommand } from './ota-constants.js';
import { Direction, FrameType, readHeader } from './zcl-header.js';
import type { DecodedOtaFrame, ImageId, OtaCommand } from './ota-frames.js';
import { ZclError } from './zigbee-errors.js';

/** Reads fields in order; every read checks the bytes are there (ZCL_TRUNCATED otherwise). */
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
