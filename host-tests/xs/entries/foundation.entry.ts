/** XS-lane cases for the foundation: the crypto ports and the CBOR codec, inside XS. */
import { nobleP256 } from '../../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import { OtaError } from '../../../device/errors.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../../device/util/cbor.js';
import { fromHex, toHex, utf8Decode, utf8Encode } from '../../../device/util/bytes.js';
import { serve } from './serve.js';

serve({
  // A Moddable build that preloads modules freezes the built-in prototypes: an OtaError
  // must still be constructed (and keep its name) there.
  otaErrorFrozenRealm: () => {
    Object.freeze(Error.prototype);
    try {
      throw new OtaError('CBOR_KEY_ORDER', 'made in a frozen realm');
    } catch (e) {
      return {
        isOtaError: e instanceof OtaError,
        name: (e as Error).name,
        code: (e as OtaError).code,
        frozen: Object.isFrozen(Error.prototype),
      };
    }
  },
  environment: () => ({
    textEncoder: typeof (globalThis as any).TextEncoder,
    textDecoder: typeof (globalThis as any).TextDecoder,
    buffer: typeof (globalThis as any).Buffer,
    process: typeof (globalThis as any).process,
  }),

  sha256: (args: { hex: string; chunk: number }) => {
    const data = fromHex(args.hex);
    const h = nobleSha256.create();
    for (let i = 0; i < data.length; i += args.chunk) h.update(data.subarray(i, i + args.chunk));
    return toHex(h.digest());
  },

  p256: (args: { digest: string; sig: string; key: string; format: 'der' | 'raw' }) =>
    nobleP256.verify(fromHex(args.digest), fromHex(args.sig), fromHex(args.key), args.format),

  /** The device's text and hex helpers inside XS (its strings index by scanning, so they iterate). */
  text: (args: { utf8Hex: string; text: string }) => {
    const bytes = fromHex(args.utf8Hex);
    return {
      decoded: utf8Decode(bytes) ?? null,
      encodedHex: toHex(utf8Encode(args.text)),
      bytesBack: toHex(bytes) === args.utf8Hex.toLowerCase(),
    };
  },

  cborRoundTrip: () => {
    const record: CborValue = new Map<number | string, CborValue>([
      [1, 0x1234],
      [2, -500],
      [3, new Uint8Array([0, 1, 2, 0xff])],
      [4, 'Alt HAN \u00e9\u20ac'],
      [
        5,
        [
          1,
          [
            2,
            [
              3,
              new Map<number | string, CborValue>([
                [0, true],
                [-1, null],
              ]),
            ],
          ],
        ],
      ],
      [6, 2 ** 40],
      ['x', false],
    ]);
    const bytes = encodeCbor(record);
    const back = decodeCbor(bytes);
    const again = encodeCbor(back);
    let refused = '';
    try {
      decodeCbor(fromHex('a2020101 01'.replace(' ', ''))); // keys out of order
    } catch (e) {
      refused = (e as { code?: string }).code ?? 'untyped';
    }
    return { hex: toHex(bytes), same: toHex(again) === toHex(bytes), refused };
  },
});
