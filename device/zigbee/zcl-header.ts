/**
 * The ZCL frame header: frame control, optional manufacturer code, transaction sequence
 * number, command identifier (ZCL spec 2.4.1).
 */
import { OtaError } from '../errors.js';
import { readU16, writeU16 } from '../util/index.js';
import { ZclError } from './zigbee-errors.js';

export const FrameType = { global: 0, clusterSpecific: 1 } as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export const Direction = { clientToServer: 0, serverToClient: 1 } as const;
export type DirectionValue = (typeof Direction)[keyof typeof Direction];

export interface ZclHeader {
  frameType: FrameTypeValue;
  direction: DirectionValue;
  disableDefaultResponse: boolean;
  /** Present exactly when the manufacturer-specific bit is set. */
  manufacturerCode?: number;
  sequence: number;
  commandId: number;
}

export function headerLength(h: ZclHeader): number {
  return h.manufacturerCode === undefined ? 3 : 5;
}

export function writeHeader(h: ZclHeader, out: Uint8Array): number {
  let fc = h.frameType & 3;
  if (h.manufacturerCode !== undefined) fc |= 0x04;
  if (h.direction === Direction.serverToClient) fc |= 0x08;
  if (h.disableDefaultResponse) fc |= 0x10;
  out[0] = fc;
  let o = 1;
  if (h.manufacturerCode !== undefined) {
    writeU16(out, o, h.manufacturerCode);
    o += 2;
  }
  out[o++] = h.sequence & 0xff;
  out[o++] = h.commandId & 0xff;
  return o;
}

/** Decodes the header; returns it with the offset of the first payload byte. */
export function readHeader(frame: Uint8Array): { header: ZclHeader; payloadOffset: number } {
  if (frame.length < 3)
    throw new OtaError(ZclError.truncated, `frame of ${frame.length} bytes has no complete ZCL header`);
  const fc = frame[0];
  const type = fc & 3;
  // Frame types 2 and 3 are reserved; bits 5..7 are reserved and must be zero.
  if (type > 1) throw new OtaError(ZclError.badFrameControl, `reserved frame type ${type}`);
  if (fc & 0xe0) throw new OtaError(ZclError.badFrameControl, `reserved frame-control bits set (0x${fc.toString(16)})`);
  const manufacturerSpecific = (fc & 0x04) !== 0;
  if (manufacturerSpecific && frame.length < 5)
    throw new OtaError(ZclError.truncated, 'manufacturer-specific header cut short');
  let o = 1;
  let manufacturerCode: number | undefined;
  if (manufacturerSpecific) {
    manufacturerCode = readU16(frame, 1);
    o = 3;
  }
  const header: ZclHeader = {
    frameType: type as FrameTypeValue,
    direction: (fc & 0x08 ? 1 : 0) as DirectionValue,
    disableDefaultResponse: (fc & 0x10) !== 0,
    sequence: frame[o],
    commandId: frame[o + 1],
  };
  if (manufacturerCode !== undefined) header.manufacturerCode = manufacturerCode;
  return { header, payloadOffset: o + 2 };
}
