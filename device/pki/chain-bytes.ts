/**
 * Splits concatenated DER certificates (a chain as an image carries it) into views of
 * the input, checking only the outer TLVs: each a SEQUENCE, at most `max` of them,
 * nothing left over. verifyChain parses each one fully.
 */
import { asOtaError, OtaError } from '../errors.js';
import { DerError, readTlv, Tag } from './der.js';
import { MAX_CHAIN_LENGTH, PathError } from './path.js';

export function splitCertificates(bytes: Uint8Array, max: number = MAX_CHAIN_LENGTH): Uint8Array[] {
  try {
    const out: Uint8Array[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      if (out.length >= max) throw new OtaError(PathError.chainTooLong, `more than ${max} certificates`);
      const n = readTlv(bytes, pos);
      if (n.tag !== Tag.sequence) throw new OtaError(DerError.malformed, `certificate ${out.length} is not a SEQUENCE`);
      out.push(bytes.subarray(n.start, n.end));
      pos = n.end;
    }
    if (out.length === 0) throw new OtaError(PathError.noPath, 'no certificate');
    return out;
  } catch (e) {
    throw asOtaError(e, PathError.internal);
  }
}
