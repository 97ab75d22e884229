/** Every OTA client configuration value is range-checked against the Zigbee OTA spec at start (CLIENT_CONFIG). */
import { describe, expect, it } from 'vitest';
import { checkClientConfig } from '../../device/agent/client-config-check.js';
import { DEFAULT_CLIENT_TIMING, type OtaClientConfig } from '../../device/agent/ota-client-config.js';
import { OtaClient } from '../../device/agent/ota-client.js';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { encodeOtaFrame } from '../../device/zigbee/ota-frames.js';
import { codeOf } from '../pki/crypto.js';

const GOOD: OtaClientConfig = {
  manufacturerCode: 0x1234,
  imageType: 0x0042,
  currentFileVersion: 0x00010000,
  hardwareVersion: 2,
  capacity: 1 << 20,
  ...DEFAULT_CLIENT_TIMING,
};

describe('client configuration ranges', () => {
  it('the defaults and the limits of every range are accepted', () => {
    expect(() => new OtaClient(GOOD, DEFAULT_POWER_POLICY)).not.toThrow();
    for (const edge of [
      { manufacturerCode: 0xfffe },
      { imageType: 0xffbf },
      { currentFileVersion: 0xfffffffe },
      { hardwareVersion: 0xffff },
      { hardwareVersion: undefined },
      { maxDataSize: 1 },
      { maxDataSize: 255 },
      { notifyDelayMaxMs: 0 },
      { backoffMaxMs: GOOD.backoffBaseMs },
      { capacity: 56 },
    ]) {
      expect(() => checkClientConfig({ ...GOOD, ...edge }), JSON.stringify(edge)).not.toThrow();
    }
  });

  const bad: [string, Partial<OtaClientConfig>][] = [
    ['image type 0xFFC0 (security credential, reserved for the spec)', { imageType: 0xffc0 }],
    ['image type 0xFFFF (wildcard)', { imageType: 0xffff }],
    ['manufacturer code 0xFFFF (wildcard)', { manufacturerCode: 0xffff }],
    ['file version 0xFFFFFFFF (wildcard)', { currentFileVersion: 0xffffffff }],
    ['a hardware version over 16 bits', { hardwareVersion: 0x10000 }],
    ['a negative manufacturer code', { manufacturerCode: -1 }],
    ['a fractional image type', { imageType: 1.5 }],
    ['maxDataSize 0', { maxDataSize: 0 }],
    ['maxDataSize 256', { maxDataSize: 256 }],
    ['a capacity below an OTA header', { capacity: 10 }],
    ['a zero query interval', { queryIntervalMs: 0 }],
    ['an infinite response timeout', { responseTimeoutMs: Infinity }],
    ['a backoff cap below its base', { backoffMaxMs: 10, backoffBaseMs: 100 }],
    ['zero attempts', { maxErrors: 0 }],
    ['NaN waits', { maxWaitForData: NaN }],
    ['a server wait beyond a timer', { maxServerWaitMs: 2 ** 31 }],
  ];
  for (const [what, change] of bad) {
    it(`refuses ${what}`, () => {
      expect(codeOf(() => new OtaClient({ ...GOOD, ...change }, DEFAULT_POWER_POLICY))).toBe('CLIENT_CONFIG');
    });
  }

  it('the codec never writes an Image Notify query jitter outside 1..100 (its decoder refuses one)', () => {
    expect(
      encodeOtaFrame({ sequence: 1, command: { name: 'imageNotify', payloadType: 0, queryJitter: 100 } }).length,
    ).toBeGreaterThan(0);
    for (const queryJitter of [0, 101, 255]) {
      expect(
        codeOf(() => encodeOtaFrame({ sequence: 1, command: { name: 'imageNotify', payloadType: 0, queryJitter } })),
      ).toBe('ZCL_FIELD_RANGE');
    }
  });
});
