/**
 * The XS lane for the whole agent: download, verify, activate, reboot into the trial,
 * self-test, confirm — the agent, its verifier and the harness's ports all inside the real
 * XS engine. Prints XS meter figures.
 */
import { describe, expect, it } from 'vitest';
import { encodeTrustStore } from '../../device/pki/trust-store.js';
import { toHex } from '../../device/util/bytes.js';
import { DEFAULT_RETRY_POLICY } from '../../device/agent/retry-policy.js';
import { E2E_IDS, FROM_VERSION, HARDWARE_VERSION, pki, signedImage, TO_VERSION } from '../e2e/e2e-fixture.js';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/agent.entry.ts');
const run = <T>(name: string, args: unknown, label: string) => lane.run<T>(name, args, label);

const PAYLOAD = 16 * 1024;

function args(over: Record<string, unknown> = {}) {
  const image = signedImage(PAYLOAD, { seed: 31 });
  return {
    image: toHex(image.file),
    trustStore: toHex(encodeTrustStore(pki().trustStore)),
    currentVersion: FROM_VERSION,
    hardwareVersion: HARDWARE_VERSION,
    battery: true,
    loss: 0.05,
    powerCuts: 0,
    seed: 3,
    ...over,
  };
}

function retryArgs(over: Record<string, unknown>) {
  return {
    image: toHex(signedImage(PAYLOAD, { seed: 31 }).file),
    trustStore: toHex(encodeTrustStore(pki().trustStore)),
    ids: {
      manufacturerCode: E2E_IDS.manufacturerCode,
      imageType: E2E_IDS.imageType,
      hardwareVersion: HARDWARE_VERSION,
      currentVersion: FROM_VERSION,
    },
    seed: 7,
    ...over,
  };
}

describe('the whole agent on XS (xsnap)', () => {
  it('a 16 KiB update on a battery device: download, verify, activate, reboot, self-test, confirm', async () => {
    const r = await run<{
      result: {
        outcome: string;
        runningVersion: number;
        toVersion: number;
        bricked: boolean;
        bytes: number;
        blockRequests: number;
        virtualSeconds: number;
      };
      phases: string[];
    }>('update', args(), 'whole update, 16 KiB payload, 5% loss');
    expect(r.result).toMatchObject({
      outcome: 'confirmed',
      runningVersion: TO_VERSION,
      toVersion: TO_VERSION,
      bricked: false,
    });
    expect(r.phases.filter((p) => ['verify', 'activate', 'reboot', 'trial', 'confirmed'].includes(p))).toEqual([
      'verify',
      'activate',
      'reboot',
      'trial',
      'confirmed',
    ]);
    console.log(
      `XS update: ${r.result.blockRequests} block requests, ${r.result.bytes} bytes, ${r.result.virtualSeconds} virtual s`,
    );
  });

  it('the supplier reports on XS: verification success, activation success with the new version, firmware versions', async () => {
    const r = await run<{ outcome: string; reports: unknown[] }>(
      'updateReports',
      args({ battery: false, loss: 0, seed: 4 }),
      'update with reports, mains, lossless',
    );
    expect(r.outcome).toBe('confirmed');
    expect(r.reports).toEqual([
      { kind: 'firmware-version', version: FROM_VERSION },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
      { kind: 'activation', success: true, version: TO_VERSION },
      { kind: 'firmware-version', version: TO_VERSION },
    ]);
  });

  it('three power cuts during the update, each followed by a reboot: still confirmed on XS', async () => {
    const r = await run<{ result: { outcome: string; powerCuts: number; bricked: boolean } }>(
      'update',
      args({ powerCuts: 3, seed: 5 }),
      'update with 3 power cuts',
    );
    expect(r.result).toMatchObject({ outcome: 'confirmed', powerCuts: 3, bricked: false });
  });

  it('a worn sector on XS: three attempts, one 0x8F1C with the storage code', async () => {
    const r = await run<{ ended: boolean; wornSectorErases: number; misuse: number; reports: unknown[] }>(
      'retries',
      retryArgs({ worn: { bankSector: 1, mode: 'erase-fails' } }),
      'worn sector, bounded retries',
    );
    expect(r).toMatchObject({ ended: true, wornSectorErases: DEFAULT_RETRY_POLICY.localAttempts, misuse: 0 });
    expect(r.reports).toEqual([
      { kind: 'firmware-version', version: FROM_VERSION },
      { kind: 'verification', alertCode: 0x8f1c, errorCode: 'STORAGE_FLASH_ERASE' },
    ]);
  });

  it('a server mix-up on XS: the foreign bytes refused, the genuine image fetched again and confirmed without a power cycle', async () => {
    const foreign = signedImage(PAYLOAD, { seed: 77 });
    const r = await run<{ ended: boolean; boots: number; reports: unknown[] }>(
      'retries',
      retryArgs({ mixUp: { foreign: toHex(foreign.file), fromOffset: foreign.file.length - PAYLOAD - 66 } }),
      'server mix-up, fetched again',
    );
    expect(r).toMatchObject({ ended: true, boots: 2 });
    expect(r.reports).toEqual([
      { kind: 'firmware-version', version: FROM_VERSION },
      { kind: 'verification', alertCode: 0x8f1c, errorCode: 'IMG_PAYLOAD_DIGEST' },
      { kind: 'verification', alertCode: 0x8f72, errorCode: 'OK' },
      { kind: 'activation', success: true, version: TO_VERSION },
      { kind: 'firmware-version', version: TO_VERSION },
    ]);
  });

  it('a new image that fails its self-test is rolled back on XS, and the failure carries the old version', async () => {
    const r = await run<{
      outcome: string;
      runningVersion: number;
      reports: { kind: string; success?: boolean; version?: number }[];
    }>(
      'updateReports',
      args({ battery: false, loss: 0, seed: 6, selfTest: 'fail' }),
      'update rolled back by a failing self-test',
    );
    expect(r.outcome).toBe('rolled-back');
    expect(r.runningVersion).toBe(FROM_VERSION);
    expect(r.reports.filter((x) => x.kind === 'activation')).toEqual([
      { kind: 'activation', success: false, version: FROM_VERSION },
    ]);
  });
});
