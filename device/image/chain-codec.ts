/**
 * The manufacturer certificate chain element (0xF102): a count byte, then for each
 * certificate, leaf first, its length (2 bytes, little-endian) and its DER. The anchor is
 * never included: it is a constant of the firmware build.
 */
import type { Bytes } from '../ports.js';
import { OtaError } from '../errors.js';
import { readU16, writeU16 } from '../util/index.js';
import { ImageError } from './image-errors.js';
import { MAX_CHAIN_CERTS, MAX_CHAIN_LENGTH, MIN_CERT_LENGTH } from './image-format.js';

/** Splits the element into certificates (views into `data`); checks counts and lengths only. */
export function decodeChain(data: Bytes): Bytes[] {
  if (data.length < 1) throw new OtaError(ImageError.chainEncoding, 'empty certificate chain element');
  const count = data[0];
  if (count < 1 || count > MAX_CHAIN_CERTS) {
    throw new OtaError(ImageError.chainEncoding, `chain holds ${count} certificates (1..${MAX_CHAIN_CERTS} accepted)`);
  }
  const certs: Bytes[] = [];
  let o = 1;
  for (let i = 0; i < count; i++) {
    if (data.length - o < 2) throw new OtaError(ImageError.chainEncoding, `certificate ${i} length cut short`);
    const n = readU16(data, o);
    o += 2;
    if (n < MIN_CERT_LENGTH)
      throw new OtaError(ImageError.chainEncoding, `certificate ${i} is ${n} bytes (at least ${MIN_CERT_LENGTH})`);
    if (n > data.length - o) throw new OtaError(ImageError.chainEncoding, `certificate ${i} runs past the element`);
    certs.push(data.subarray(o, o + n));
    o += n;
  }
  if (o !== data.length)
    throw new OtaError(ImageError.chainEncoding, `${data.length - o} bytes after the last certificate`);
  return certs;
}

/** Encodes certificates (leaf first) as the 0xF102 element's data. */
export function encodeChain(certs: Bytes[]): Bytes {
  if (certs.length < 1 || certs.length > MAX_CHAIN_CERTS) {
    throw new OtaError(
      ImageError.chainEncoding,
      `chain of ${certs.length} certificates (1..${MAX_CHAIN_CERTS} accepted)`,
    );
  }
  let n = 1;
  for (const c of certs) n += 2 + c.length;
  if (n > MAX_CHAIN_LENGTH)
    throw new OtaError(ImageError.tooLarge, `chain element of ${n} bytes exceeds ${MAX_CHAIN_LENGTH}`);
  const out = new Uint8Array(n);
  out[0] = certs.length;
  let o = 1;
  for (const c of certs) {
    if (c.length < MIN_CERT_LENGTH) throw new OtaError(ImageError.chainEncoding, `certificate of ${c.length} bytes`);
    writeU16(out, o, c.length);
    out.set(c, o + 2);
    o += 2 + c.length;
  }
  return out;
}
