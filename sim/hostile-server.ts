/**
 * The catalogue of misbehaving and hostile OTA servers (docs/HOSTILE-SERVER.md maps each
 * to its expected outcome and test). Each is a Behaviour for EmulatedCh. `persistent`
 * ones misbehave on every answer (the client must give up cleanly); `intermittent` ones
 * misbehave on a share of answers (the client must retry at the same offset and finish).
 */
import { OtaStatus, type OtaCommand } from '../device/zigbee/index.js';
import type { Behaviour, ServedImage, ServerContext } from './ota-server.js';

type BlockAnswer = Extract<OtaCommand, { name: 'imageBlockResponse'; status: 0x00 }>;

function honestBlock(exchange: ServerContext): BlockAnswer | undefined {
  const h = exchange.honest;
  return h && h.name === 'imageBlockResponse' && h.status === 0 ? h : undefined;
}

/** Applies `twist` to successful block answers with probability `share` (1 = always). */
function twistBlocks(
  name: string,
  share: number,
  twist: (b: BlockAnswer, exchange: ServerContext) => Uint8Array[],
): Behaviour {
  return {
    name,
    respond(exchange) {
      const b = honestBlock(exchange);
      if (b && (share >= 1 || exchange.rng.chance(share))) return twist(b, exchange);
      return exchange.honest ? [exchange.encode(exchange.honest)] : [];
    },
  };
}

export const Hostile = {
  /** Answers a block at another offset than asked. */
  wrongOffset: (share = 1): Behaviour =>
    twistBlocks(`wrong-offset(${share})`, share, (b, exchange) => [
      exchange.encode({ ...b, fileOffset: b.fileOffset + 7 }),
    ]),

  /** Sends more data than the request's maximum data size (taken from further in the file). */
  moreDataThanAsked: (share = 1): Behaviour =>
    twistBlocks(`more-data-than-asked(${share})`, share, (b, exchange) => {
      const img = exchange.server.findImage(b.manufacturerCode, b.imageType, b.fileVersion)!;
      const asked =
        exchange.request.command.name === 'imageBlockRequest'
          ? exchange.request.command.maximumDataSize
          : b.data.length;
      const extra = img.file.subarray(b.fileOffset, Math.min(img.file.length, b.fileOffset + asked + 16));
      const data = extra.length > asked ? extra : new Uint8Array(asked + 16);
      return [exchange.encode({ ...b, data })];
    }),

  /** Near the end, pads the last block with bytes past the image's end. */
  dataPastEnd: (): Behaviour =>
    twistBlocks('data-past-end', 1, (b, exchange) => {
      const img = exchange.server.findImage(b.manufacturerCode, b.imageType, b.fileVersion)!;
      if (b.fileOffset + b.data.length < img.file.length) return [exchange.encode(b)];
      const data = new Uint8Array(b.data.length + 10);
      data.set(b.data);
      return [exchange.encode({ ...b, data })];
    }),

  /**
   * From `afterOffset` on, serves another file's bytes under the same identity (an image
   * replaced mid-download).
   */
  imageChangesMidDownload: (other: ServedImage, afterOffset: number): Behaviour =>
    twistBlocks('image-changes-mid-download', 1, (b, exchange) => {
      if (b.fileOffset < afterOffset) return [exchange.encode(b)];
      return [exchange.encode({ ...b, data: other.file.subarray(b.fileOffset, b.fileOffset + b.data.length) })];
    }),

  /**
   * A server whose session outlives a restart and mixes up its files: for the first
   * `downloads` downloads (each ended by the client's Upgrade End Request INVALID_IMAGE),
   * bytes from `fromOffset` on come from `other` (a foreign image), under the genuine
   * image's identity and authentic manifest; after that it serves honestly.
   */
  mixedUpFiles: (other: ServedImage, fromOffset: number, downloads = 1): Behaviour => {
    let left = downloads;
    return {
      name: `mixed-up-files(${downloads})`,
      respond(exchange) {
        const c = exchange.request.command;
        if (c.name === 'upgradeEndRequest' && c.status === OtaStatus.invalidImage && left > 0) left--;
        const b = honestBlock(exchange);
        if (!b || left === 0 || b.fileOffset + b.data.length <= fromOffset)
          return exchange.honest ? [exchange.encode(exchange.honest)] : [];
        const data = b.data.slice();
        for (let i = Math.max(0, fromOffset - b.fileOffset); i < data.length; i++)
          data[i] = other.file[b.fileOffset + i];
        return [exchange.encode({ ...b, data })];
      },
    };
  },

  /** Answers every block request with WAIT_FOR_DATA, for ever. */
  endlessWaitForData: (waitSeconds = 10, minimumBlockPeriodMs = 500): Behaviour => ({
    name: 'endless-wait-for-data',
    respond(exchange) {
      if (exchange.request.command.name !== 'imageBlockRequest')
        return exchange.honest ? [exchange.encode(exchange.honest)] : [];
      return [
        exchange.encode({
          name: 'imageBlockResponse',
          status: OtaStatus.waitForData,
          currentTime: 1000,
          requestTime: 1000 + waitSeconds,
          minimumBlockPeriod: minimumBlockPeriodMs,
        }),
      ];
    },
  }),

  /** Answers WAIT_FOR_DATA to the first `count` block requests, then serves. */
  waitForDataThenServe: (count: number, minimumBlockPeriodMs: number): Behaviour => {
    let left = count;
    return {
      name: `wait-for-data-then-serve(${count})`,
      respond(exchange) {
        if (exchange.request.command.name === 'imageBlockRequest' && left > 0) {
          left--;
          return [
            exchange.encode({
              name: 'imageBlockResponse',
              status: OtaStatus.waitForData,
              currentTime: 0,
              requestTime: 2,
              minimumBlockPeriod: minimumBlockPeriodMs,
            }),
          ];
        }
        return exchange.honest ? [exchange.encode(exchange.honest)] : [];
      },
    };
  },

  /** Block answers name another manufacturer, image type or version than asked. */
  mismatchedIds: (field: 'manufacturerCode' | 'imageType' | 'fileVersion', share = 1): Behaviour =>
    twistBlocks(`mismatched-${field}(${share})`, share, (b, exchange) => [
      exchange.encode({ ...b, [field]: (b[field] + 1) & (field === 'fileVersion' ? 0xffffffff : 0xffff) }),
    ]),

  /** Offers (in Query Next Image Response) an image for another manufacturer or an older version. */
  offerOverride: (
    override: Partial<{ manufacturerCode: number; imageType: number; fileVersion: number; imageSize: number }>,
  ): Behaviour => ({
    name: `offer-override(${JSON.stringify(override)})`,
    respond(exchange) {
      const h = exchange.honest;
      if (h && h.name === 'queryNextImageResponse' && h.image)
        return [exchange.encode({ ...h, image: { ...h.image, ...override } })];
      return h ? [exchange.encode(h)] : [];
    },
  }),

  /** Cuts answers short at a random length. */
  truncatedFrames: (share = 1): Behaviour =>
    twistBlocks(`truncated-frames(${share})`, share, (b, exchange) => {
      const f = exchange.encode(b);
      return [f.subarray(0, exchange.rng.int(1, f.length - 1))];
    }),

  /** Serves `blocks` block requests, then answers nothing at all. */
  silenceAfter: (blocks: number): Behaviour => {
    let served = 0;
    return {
      name: `silence-after(${blocks})`,
      respond(exchange) {
        if (exchange.request.command.name === 'imageBlockRequest' && served++ >= blocks) return [];
        if (exchange.request.command.name === 'upgradeEndRequest' && served > blocks) return [];
        return exchange.honest ? [exchange.encode(exchange.honest)] : [];
      },
    };
  },

  /** Aborts the download (status ABORT) once past `afterOffset`. */
  abortAfter: (afterOffset: number): Behaviour =>
    twistBlocks('server-abort', 1, (b, exchange) =>
      b.fileOffset < afterOffset
        ? [exchange.encode(b)]
        : [exchange.encode({ name: 'imageBlockResponse', status: OtaStatus.abort })],
    ),

  /** Also sends a stale copy of the previous block after each answer (a replaying server). */
  replayPrevious: (): Behaviour => {
    let previous: Uint8Array | undefined;
    return twistBlocks('replay-previous', 1, (b, exchange) => {
      const f = exchange.encode(b);
      const out = previous ? [f, previous] : [f];
      previous = f;
      return out;
    });
  },
} as const;
