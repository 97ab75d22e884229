/** OtaError on a device build: XS preloading freezes Error.prototype. */
import { describe, expect, it } from 'vitest';
import { OtaError, asOtaError, isOtaError } from '../../device/errors.js';

describe('OtaError', () => {
  it('is constructed when Error.prototype.name is read-only, as in a preloaded XS build', () => {
    const original = Object.getOwnPropertyDescriptor(Error.prototype, 'name')!;
    Object.defineProperty(Error.prototype, 'name', { ...original, writable: false });
    try {
      const e = new OtaError('SINK_FAILED', 'flash read failed');
      expect(e.name).toBe('OtaError');
      expect(e.code).toBe('SINK_FAILED');
      expect(isOtaError(asOtaError(new Error('x'), 'JOURNAL_WRITE'), 'JOURNAL_WRITE')).toBe(true);
    } finally {
      Object.defineProperty(Error.prototype, 'name', original);
    }
  });

  it('names itself in messages and stack traces', () => {
    expect(String(new OtaError('IMAGE_HEADER', 'bad'))).toBe('OtaError: IMAGE_HEADER: bad');
  });
});
