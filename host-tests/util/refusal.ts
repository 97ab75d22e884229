/** The typed refusal `fn` throws (an OtaError); anything else it throws, or no throw at all, fails the test. */
import { OtaError } from '../../device/errors.js';

export function refusal(fn: () => unknown): OtaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtaError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
