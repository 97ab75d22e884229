/** Activation decisions as a PPMID makes them under SECMP0007. */
import { describe, expect, it } from 'vitest';
import {
  decideActivationCommand,
  powerAllowsActivation,
  triggerFromUpgradeEnd,
} from '../../device/agent/activation.js';
import { ActivationResponse } from '../../device/ports.js';

const held = { fileVersion: 0x02000000, manufacturerImageHash: new Uint8Array(32).fill(0xab) };

describe('Upgrade End Response timing', () => {
  it('upgrade time 0 means now, 0xFFFFFFFF means wait for a command', () => {
    expect(triggerFromUpgradeEnd(12345, 0)).toEqual({ kind: 'now' });
    expect(triggerFromUpgradeEnd(0, 0xffffffff)).toEqual({ kind: 'command' });
  });
  it('a future upgrade time is honoured relative to the current time in the same frame', () => {
    expect(triggerFromUpgradeEnd(1000, 1060)).toEqual({ kind: 'after', delayMs: 60_000 });
    // the server's clock may be anything (even 0): only the difference counts
    expect(triggerFromUpgradeEnd(0, 30)).toEqual({ kind: 'after', delayMs: 30_000 });
  });
  it('an upgrade time already past means now', () => {
    expect(triggerFromUpgradeEnd(5000, 4000)).toEqual({ kind: 'now' });
  });
});

describe('explicit activation (CS06)', () => {
  it('refuses with "no image held" when nothing verified is held', () => {
    expect(decideActivationCommand(undefined, { imageHash: held.manufacturerImageHash })).toEqual({
      response: ActivationResponse.noImageHeld,
      accept: false,
    });
  });
  it('refuses a wrong or malformed hash with "hash mismatch"', () => {
    const wrong = held.manufacturerImageHash.slice();
    wrong[31] ^= 1;
    expect(decideActivationCommand(held, { imageHash: wrong })).toEqual({
      response: ActivationResponse.hashMismatch,
      accept: false,
    });
    expect(decideActivationCommand(held, { imageHash: wrong.subarray(0, 16) }).response).toBe(
      ActivationResponse.hashMismatch,
    );
  });
  it('accepts the held image’s hash', () => {
    expect(decideActivationCommand(held, { imageHash: held.manufacturerImageHash.slice() })).toEqual({
      response: ActivationResponse.success,
      accept: true,
    });
  });
});

describe('power gate', () => {
  it('never activates on battery below the activation level or while the supply warns', () => {
    expect(powerAllowsActivation('battery', 29, false, 30)).toBe(false);
    expect(powerAllowsActivation('battery', 30, false, 30)).toBe(true);
    expect(powerAllowsActivation('battery', 90, true, 30)).toBe(false);
    expect(powerAllowsActivation('mains', 0, false, 30)).toBe(true);
  });
});
