/** device/util's public surface: other folders and tools import from here only. */
export {
  concatBytes,
  equalBytes,
  fromHex,
  readU16,
  readU32,
  toHex,
  utf8Decode,
  utf8Encode,
  writeU16,
  writeU32,
} from './bytes.js';
export { type CborErrorCode, type CborMap, type CborValue, decodeCbor, encodeCbor } from './cbor.js';
export { crc32 } from './crc32.js';
