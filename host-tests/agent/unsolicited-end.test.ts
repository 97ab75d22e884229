/** Unsolicited Upgrade End Responses: which frames activate the held image, and when. */
import { describe, expect, it } from 'vitest';
import { upgradeEndTrigger } from '../../device/agent/unsolicited-end.js';
import { encodeOtaFrame, type OtaCommand } from '../../device/zigbee/ota-frames.js';

const held = { manufacturerCode: 0x1234, imageType: 0x42, fileVersion: 0x20000 };
const end = (over: Partial<Extract<OtaCommand, { name: 'upgradeEndResponse' }>>) =>
  encodeOtaFrame({
    sequence: 1,
    command: { name: 'upgradeEndResponse', ...held, currentTime: 100, upgradeTime: 100, ...over },
  });

describe('upgradeEndTrigger', () => {
  it('reads the times of a response naming the held image: now, a delay, or wait for a command', () => {
    expect(upgradeEndTrigger(end({ upgradeTime: 0 }), held)).toEqual({ kind: 'now' });
    expect(upgradeEndTrigger(end({ currentTime: 100, upgradeTime: 160 }), held)).toEqual({
      kind: 'after',
      delayMs: 60_000,
    });
    expect(upgradeEndTrigger(end({ upgradeTime: 0xffffffff }), held)).toEqual({ kind: 'command' });
  });

  it('wildcards name the held image too', () => {
    expect(
      upgradeEndTrigger(
        end({ manufacturerCode: 0xffff, imageType: 0xffff, fileVersion: 0xffffffff, upgradeTime: 0 }),
        held,
      ),
    ).toEqual({ kind: 'now' });
  });

  it('another image, another command, or a malformed frame trigger nothing', () => {
    expect(upgradeEndTrigger(end({ fileVersion: 0x30000 }), held)).toBeUndefined();
    expect(upgradeEndTrigger(end({ manufacturerCode: 0x1235 }), held)).toBeUndefined();
    expect(
      upgradeEndTrigger(
        encodeOtaFrame({ sequence: 2, command: { name: 'imageNotify', payloadType: 0, queryJitter: 100 } }),
        held,
      ),
    ).toBeUndefined();
    expect(upgradeEndTrigger(new Uint8Array([0x19, 0x01, 0x07, 0x34]), held)).toBeUndefined();
  });
});
