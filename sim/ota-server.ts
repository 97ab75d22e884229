/**
 * An emulated Communications Hub as OTA server: it answers Query Next Image with the
 * newest matching image it holds, serves Image Block Requests (at most `blockSize` bytes,
 * never more than asked), answers Upgrade End, and can send Image Notify. A `Behaviour`
 * (hostile-server.ts) may replace any answer, to play a misbehaving or hostile server.
 * Frames go through the device codec: the same bytes a real CH would put on air.
 */
import {
  OtaStatus,
  decodeOtaFrame,
  encodeOtaFrame,
  type DecodedOtaFrame,
  type OtaCommand,
} from '../device/zigbee/index.js';
import { readU16, readU32 } from '../device/util/index.js';
import type { Rng } from './rng.js';

export interface ServedImage {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  file: Uint8Array;
  minHardwareVersion?: number;
  maxHardwareVersion?: number;
}

/** Reads the identity out of an OTA file's header. */
export function servedImage(file: Uint8Array): ServedImage {
  return { manufacturerCode: readU16(file, 10), imageType: readU16(file, 12), fileVersion: readU32(file, 14), file };
}

export interface ServerOptions {
  /** Largest block the server serves (zigbee-herdsman's default is 50). */
  blockSize: number;
  /** Upgrade End Response upgrade time; 0xFFFFFFFF = wait for an activation command (GB CH). */
  upgradeTime: number;
  currentTime: number;
}

export const DEFAULT_SERVER: ServerOptions = { blockSize: 50, upgradeTime: 0xffffffff, currentTime: 0 };

/** What a behaviour sees of one request, and how it answers. */
export interface ServerContext {
  server: EmulatedCh;
  rng: Rng;
  request: DecodedOtaFrame;
  /** The answer an honest server gives (undefined when it would not answer). */
  honest: OtaCommand | undefined;
  /** Encodes a command as an answer to this request (same sequence number). */
  encode(command: OtaCommand): Uint8Array;
}

export interface Behaviour {
  name: string;
  /** The frames to send back instead of the honest answer (empty: silence). */
  respond(exchange: ServerContext): Uint8Array[];
}

export const HONEST: Behaviour = {
  name: 'honest',
  respond: (exchange) => (exchange.honest ? [exchange.encode(exchange.honest)] : []),
};

export class EmulatedCh {
  images: ServedImage[] = [];
  behaviour: Behaviour = HONEST;
  readonly stats = {
    queries: 0,
    blockRequests: 0,
    /** Block requests for offset 0 after a request for a higher offset of the same image. */
    restartsFromZero: 0,
    highestOffset: 0,
    upgradeEnds: [] as number[],
    malformed: 0,
  };
  private notifySeq = 0;

  constructor(
    private readonly port: { send(frame: Uint8Array): void; onReceive(h: (f: Uint8Array) => void): void },
    private readonly rng: Rng,
    public options: ServerOptions = DEFAULT_SERVER,
  ) {
    port.onReceive((f) => this.receive(f));
  }

  /** Sends an Image Notify (payload type 0: jitter only, or 3 with the image's identity). */
  notify(queryJitter = 100, image?: ServedImage): void {
    const command: OtaCommand = image
      ? {
          name: 'imageNotify',
          payloadType: 3,
          queryJitter,
          manufacturerCode: image.manufacturerCode,
          imageType: image.imageType,
          fileVersion: image.fileVersion,
        }
      : { name: 'imageNotify', payloadType: 0, queryJitter };
    this.port.send(encodeOtaFrame({ sequence: this.notifySeq++ & 0xff, command }));
  }

  findImage(manufacturerCode: number, imageType: number, fileVersion: number): ServedImage | undefined {
    return this.images.find(
      (i) => i.manufacturerCode === manufacturerCode && i.imageType === imageType && i.fileVersion === fileVersion,
    );
  }

  private receive(frame: Uint8Array): void {
    let request: DecodedOtaFrame;
    try {
      request = decodeOtaFrame(frame);
    } catch {
      this.stats.malformed++;
      return;
    }
    const honest = this.honestAnswer(request.command);
    const exchange: ServerContext = {
      server: this,
      rng: this.rng,
      request,
      honest,
      encode: (command) => encodeOtaFrame({ sequence: request.header.sequence, command }),
    };
    for (const f of this.behaviour.respond(exchange)) this.port.send(f);
  }

  honestAnswer(c: OtaCommand): OtaCommand | undefined {
    switch (c.name) {
      case 'queryNextImageRequest': {
        this.stats.queries++;
        const img = this.images
          .filter(
            (i) =>
              i.manufacturerCode === c.manufacturerCode &&
              i.imageType === c.imageType &&
              i.fileVersion > c.fileVersion &&
              (c.hardwareVersion === undefined ||
                ((i.minHardwareVersion ?? 0) <= c.hardwareVersion &&
                  c.hardwareVersion <= (i.maxHardwareVersion ?? 0xffff))),
          )
          .sort((a, b) => b.fileVersion - a.fileVersion)[0];
        if (!img) return { name: 'queryNextImageResponse', status: OtaStatus.noImageAvailable };
        return {
          name: 'queryNextImageResponse',
          status: OtaStatus.success,
          image: {
            manufacturerCode: img.manufacturerCode,
            imageType: img.imageType,
            fileVersion: img.fileVersion,
            imageSize: img.file.length,
          },
        };
      }
      case 'imageBlockRequest': {
        this.stats.blockRequests++;
        if (c.fileOffset === 0 && this.stats.highestOffset > 0) this.stats.restartsFromZero++;
        this.stats.highestOffset = Math.max(this.stats.highestOffset, c.fileOffset);
        const img = this.findImage(c.manufacturerCode, c.imageType, c.fileVersion);
        if (!img || c.fileOffset >= img.file.length) return { name: 'imageBlockResponse', status: OtaStatus.abort };
        const n = Math.min(this.options.blockSize, c.maximumDataSize, img.file.length - c.fileOffset);
        return {
          name: 'imageBlockResponse',
          status: 0,
          manufacturerCode: img.manufacturerCode,
          imageType: img.imageType,
          fileVersion: img.fileVersion,
          fileOffset: c.fileOffset,
          data: img.file.subarray(c.fileOffset, c.fileOffset + n),
        };
      }
      case 'upgradeEndRequest': {
        this.stats.upgradeEnds.push(c.status);
        if (c.status !== OtaStatus.success)
          return { name: 'defaultResponse', commandId: 0x06, status: OtaStatus.success };
        return {
          name: 'upgradeEndResponse',
          manufacturerCode: c.manufacturerCode,
          imageType: c.imageType,
          fileVersion: c.fileVersion,
          currentTime: this.options.currentTime,
          upgradeTime: this.options.upgradeTime,
        };
      }
      default:
        return undefined;
    }
  }
}
