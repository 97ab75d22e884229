/**
 * The agent's side of a credential replacement (device/pki/credential-check.ts decides
 * the command): when it may run, the one write that makes it durable, and what becomes of
 * an image held under the credentials it replaces. Never throws: every outcome is a CS02b
 * answer and a `credential-update` report.
 *
 * The rule for a replacement while an update is in progress (docs/PKI.md):
 *   - during a trial (and before the boot check has ended, and while arming a trial):
 *     refused with 30 "resources busy". The fallback bank is the way back if the trial
 *     fails; credentials change only on a device that runs a confirmed image, so a revert
 *     never lands on firmware under credentials a failing image put in place.
 *   - while downloading: applied. The supplier signature, the last thing an image carries,
 *     is checked against the cells in force when it arrives, so the download ends under
 *     the new credentials (accepted or refused by them).
 *   - while an image is held for activation: applied, then the held image's supplier
 *     signature is verified again against the new cells. An image no Supplier cell in
 *     force authorises is refused (0x8F1C) and forgotten: it is never activated.
 * In every other state (idle) it is applied.
 *
 * The agent's TrustStore object is shared with the update sink and its image session:
 * the new cells are put into that same object once the write has succeeded, so the next
 * check anywhere uses them, and a failed write leaves RAM and flash on the old set.
 */
import { asOtaError, OtaError } from '../errors.js';
import { checkSupplierSignature, ImageError } from '../image/index.js';
import { devicePki } from '../image/index.js';
import type { TrustStore } from '../pki/index.js';
import { checkCredentialCommand } from '../pki/index.js';
import { decodeCredentialCommand } from '../pki/index.js';
import { CredentialError, cs02bCode, Cs02bCode } from '../pki/index.js';
import type { Ports, Report, WallTime } from '../ports.js';
import { Journal } from '../storage/index.js';
import type { StorageLayout } from '../storage/index.js';
import { persistCredentials } from './credential-store.js';
import { readHeldTrailer } from './held-record.js';
import type { AgentState } from './lifecycle.js';
import type { HeldBankImage } from './update-sink.js';

/** States in which a replacement is refused with 30: see the rule above. */
const BUSY_STATES: readonly AgentState[] = ['boot-check', 'trial-self-test', 'activating'];

export interface CredentialOutcome {
  /** The CS02b answer. */
  answer: number;
  report: Extract<Report, { kind: 'credential-update' }>;
  /** Set when a held image is no longer authorised by the cells in force: it must be refused and forgotten. */
  heldRefused?: OtaError;
}

export class CredentialUpdater {
  constructor(
    private readonly ports: Pick<Ports, 'flash' | 'clock' | 'sha256' | 'p256'>,
    private readonly layout: StorageLayout,
    /** The credentials in force: the agent's own object, changed in place on success. */
    readonly inForce: TrustStore,
    private readonly deviceId?: Uint8Array,
  ) {}

  /** Handles one command in agent state `state` with `held` the image waiting for activation, if any. */
  handle(bytes: Uint8Array, state: AgentState, held: HeldBankImage | undefined): CredentialOutcome {
    const named = namedIn(bytes);
    const refuse = (e: OtaError): CredentialOutcome => this.outcome(named, cs02bCode(e.code), e.code);
    if (BUSY_STATES.includes(state))
      return refuse(new OtaError(CredentialError.busy, `a replacement waits while the agent is in ${state}`));
    const now = this.trustedNow();
    let next: TrustStore;
    try {
      next = checkCredentialCommand(bytes, {
        store: this.inForce,
        crypto: this.ports,
        now,
        deviceId: this.deviceId,
      }).next;
      persistCredentials(this.ports.flash, this.layout, next);
    } catch (e) {
      return refuse(asOtaError(e, CredentialError.internal));
    }
    this.inForce.cells = next.cells;
    this.inForce.counter = next.counter;
    const out = this.outcome(named, Cs02bCode.success, 'OK');
    if (state === 'awaiting-activation' && held) {
      const refusal = this.heldRefusal(held, now);
      if (refusal) out.heldRefused = refusal;
    }
    return out;
  }

  /** Why the held image is no longer authorised by the cells in force, or undefined when it still is. */
  private heldRefusal(held: HeldBankImage, now: WallTime | undefined): OtaError | undefined {
    if (held.supplierCell === undefined) return undefined; // held without a supplier signature (policy): no cell vouched for it
    try {
      const t = readHeldTrailer(Journal.open(this.ports.flash, this.layout));
      if (!t || t.fileVersion !== held.fileVersion)
        return new OtaError(ImageError.supplierSignature, "the held image's supplier signature cannot be read again");
      checkSupplierSignature(
        held.manufacturerImageHash,
        t.trailer.subarray(2),
        this.inForce,
        this.ports,
        devicePki,
        now,
      );
      return undefined;
    } catch (e) {
      return asOtaError(e, ImageError.supplierSignature);
    }
  }

  private trustedNow(): WallTime | undefined {
    try {
      const t = this.ports.clock.wallTime();
      return t?.trusted ? t : undefined;
    } catch {
      return undefined; // no trusted time: validity is skipped, as everywhere
    }
  }

  private outcome(named: { cell: string; authority: string }, answer: number, errorCode: string): CredentialOutcome {
    return {
      answer,
      report: {
        kind: 'credential-update',
        ...named,
        responseCode: answer,
        errorCode,
        counter: this.inForce.counter ?? 0,
      },
    };
  }
}

/** The cell and authority a command names, for its report, as far as it decodes. */
function namedIn(bytes: Uint8Array): { cell: string; authority: string } {
  try {
    const c = decodeCredentialCommand(bytes);
    return { cell: c.cell, authority: c.authority };
  } catch {
    return { cell: 'unknown', authority: 'unknown' };
  }
}
