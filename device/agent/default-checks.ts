/**
 * The self-test checks every trial image runs before it may confirm itself, ahead of the
 * vendor's own: the storage it will need to update again reads back, its trust anchors
 * are intact, and the radio came back (a frame from the server since this boot).
 */
import { type TrustStore, ANCHOR_CELLS, parseCertificate } from '../pki/index.js';
import type { Clock, Flash } from '../ports.js';
import { bootStatus, Journal, type StorageLayout } from '../storage/index.js';
import type { BootControl } from '../ports.js';
import type { SelfTestCheck } from './self-test.js';

export function storageReadable(ports: { flash: Flash; boot: BootControl }, layout: StorageLayout): SelfTestCheck {
  return {
    name: 'storage readable',
    run(finish) {
      // Throws are the self-test runner's to catch: a failing read fails the check.
      const s = bootStatus(ports, layout);
      Journal.open(ports.flash, layout);
      finish(s.kind === 'trial', s.kind === 'trial' ? undefined : `boot record says ${s.kind}`);
    },
  };
}

export function trustStoreIntact(trust: TrustStore): SelfTestCheck {
  return {
    name: 'trust store intact',
    run(finish) {
      parseCertificate(trust.manufacturerAnchor);
      let suppliers = 0;
      for (const cell of ANCHOR_CELLS) {
        const der = trust.cells[cell];
        if (!der) continue;
        parseCertificate(der);
        if (cell === 'supplier1' || cell === 'supplier2') suppliers++;
      }
      finish(suppliers > 0, suppliers > 0 ? undefined : 'no Supplier anchor');
    },
  };
}

/**
 * Passes as soon as `framesSinceBoot()` is above 0, polling every `pollMs`; the self-test
 * deadline bounds it. Every `pingEvery` polls without a frame it calls `ping` (one Query
 * Next Image Request): the OTA client's own queries may be held back by the power policy,
 * and the trial must not fail for want of asking.
 */
export function radioRejoined(
  clock: Clock,
  framesSinceBoot: () => number,
  pollMs: number,
  ping: () => void,
  pingEvery = 10,
): SelfTestCheck {
  return {
    name: 'radio rejoined',
    run(finish) {
      let polls = 0;
      const poll = () => {
        try {
          if (framesSinceBoot() > 0) return finish(true);
          if (polls++ % pingEvery === 0) ping();
          clock.setTimer(pollMs, poll);
        } catch (e) {
          finish(false, `timer failed: ${(e as Error)?.message ?? String(e)}`);
        }
      };
      poll();
    },
  };
}
