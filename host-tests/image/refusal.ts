/** Test helper: runs a whole file through a session and names the outcome. */
import { isOtaError } from '../../device/errors.js';
import { verifyImage, type ImageSessionOptions, type VerifiedImage } from '../../device/image/image-session.js';

export type Outcome = { accepted: VerifiedImage; code?: undefined } | { accepted?: undefined; code: string };

export function outcome(file: Uint8Array, options: ImageSessionOptions): Outcome {
  try {
    return { accepted: verifyImage(file, options) };
  } catch (e) {
    return { code: isOtaError(e) ? e.code : `UNTYPED ${String(e)}` };
  }
}

export function codeOf(file: Uint8Array, options: ImageSessionOptions): string {
  const o = outcome(file, options);
  return o.code ?? 'ACCEPTED';
}
