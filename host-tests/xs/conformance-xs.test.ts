/**
 * The XS lane, conformance part: the synchronous port conformance suites run inside the
 * real XS engine against the emulated ports and the portable crypto, with the same
 * results as on Node (host-tests/conformance/emulated-ports.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/conformance.entry.ts', 'conformance ');
type Counts = { passed: number; failed: string[] };
const run = (name: string) => lane.run<Counts>(name);

describe('port conformance suites inside XS', () => {
  it('Sha256 suite on noble: 8 checks pass', async () => {
    expect(await run('sha256')).toEqual({ passed: 8, failed: [] });
  });

  it('P256Verifier suite on noble and on the checked verifier: 2 × 26 checks pass', async () => {
    expect(await run('p256')).toEqual({ passed: 52, failed: [] });
  });

  it('Flash suite on both emulated flash profiles: 2 × 10 checks pass', async () => {
    expect(await run('flash')).toEqual({ passed: 20, failed: [] });
  });

  it('Power and BootControl suites: 4 + 2 checks pass', async () => {
    expect(await run('powerAndBoot')).toEqual({ passed: 6, failed: [] });
  });
});
