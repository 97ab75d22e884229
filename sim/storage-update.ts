/**
 * A storage-level device for power-cut sweeps: each boot runs the reference bootloader
 * (world-parts.ts), then the agent's storage duties for one update (stream the payload
 * into the inactive bank with journal progress records, write the metadata record, activate a trial, restart; on the
 * trial boot, self-test and confirm). After a cut the next boot carries on from what
 * flash says, exactly as the agent would. No Node API: it runs inside XS too.
 */
import { nobleSha256 } from '../device/crypto/index.js';
import { isOtaError } from '../device/errors.js';
import type { BootControl, Flash, Sha256 } from '../device/ports.js';
import {
  hashFlash,
  BankWriter,
  activateTrial,
  bootStatus,
  confirmTrial,
  isRefused,
  provisionBootRecord,
  readBootRecord,
  type BootRecord,
  Journal,
  keepCounters,
  keepTrustAnchors,
  makeLayout,
  sectorsNeeded,
  type LayoutConfig,
  type StorageLayout,
  provisionMetadata,
  readMetadata,
  writeMetadata,
} from '../device/storage/index.js';
import {
  DownloadStage,
  clearDownloadProgress,
  readDownloadProgress,
  recordCounters,
  recordDownloadProgress,
  recordTrustAnchors,
  sameImage,
  type DownloadProgress,
  type ImageIdentity,
} from '../device/storage/index.js';
import { equalBytes } from '../device/util/index.js';
import { PowerRail } from './power-rail.js';
import { Rng } from './rng.js';
import type { BootOutcome } from './sim-bootloader.js';
import { bootloader } from './world-parts.js';
import { FlashMedia, type FlashProfile } from './sim-flash.js';

export interface UpdatePlan {
  profile: FlashProfile;
  layout: LayoutConfig;
  oldPayload: Uint8Array;
  oldVersion: number;
  newPayload: Uint8Array;
  newVersion: number;
  /** SHA-256 of each payload, given by the test (the device never trusts its own say-so). */
  oldDigest: Uint8Array;
  newDigest: Uint8Array;
  metadata: Uint8Array;
  identity: ImageIdentity;
  /** OTA file offset of payload byte 0. */
  payloadFileOffset: number;
  /** A progress record after at least this many new payload bytes. */
  progressEvery: number;
  /** Seed of the chunk sizes the "radio" delivers. */
  chunkSeed: number;
  /** What the new image's self-test does on its trial boot. */
  selfTest: 'pass' | 'hang';
  /** The floor the confirmation sets; undefined: confirmTrial's default (the fallback's version). */
  confirmFloor: number | undefined;
  /** The journal is filled with older records until only this many bytes are free, so the update's appends rotate it. */
  journalRoomLeft: number;
  trustAnchors: Uint8Array;
  counters: Map<number, number>;
}

/** What one boot ended with. */
export type BootEnd =
  | 'cut' // power lost during this boot
  | 'restart' // the agent activated a trial and restarted
  | 'confirmed' // the trial confirmed itself this boot
  | 'hang' // the trial never confirmed: its watchdog restarts it
  | 'idle' // nothing left to do
  | 'error' // a storage call failed (not a cut): the agent gives up this boot and carries on at the next
  | 'halt'; // the bootloader found nothing bootable

export interface BootReport {
  end: BootEnd;
  outcome: BootOutcome;
  error?: string;
  /** After this boot, the standing boot record shows the new image activated (trial, confirmed or refused). */
  activated?: boolean;
}

/** A chip as it leaves the factory plus some life: old image confirmed in bank 0, a used journal. */
export function prepareChip(plan: UpdatePlan, seed = 1): FlashMedia {
  const cfg = plan.layout;
  const sectors = sectorsNeeded(plan.profile.sectorSize, cfg);
  const media = new FlashMedia(plan.profile, sectors * plan.profile.sectorSize, seed);
  const rail = new PowerRail();
  const flash = media.attach(rail);
  const layout = makeLayout(flash, cfg);
  const bank0 = layout.banks[0];
  // The factory image is programmed by the production line, not by the agent.
  media.bytes.set(plan.oldPayload, bank0.offset);
  const factory = { bank: 0, version: plan.oldVersion, length: plan.oldPayload.length, digest: plan.oldDigest };
  provisionBootRecord(flash, layout, factory);
  // Its metadata record too, so a bootloader that loses both boot-record copies still finds it (docs/BOOT.md row 1).
  provisionMetadata(flash, layout, 0, plan.metadata, factory);
  keepTrustAnchors(flash, layout, plan.trustAnchors);
  keepCounters(flash, layout, plan.counters);
  const journal = Journal.open(flash, layout);
  recordTrustAnchors(journal, plan.trustAnchors);
  do recordCounters(journal, plan.counters);
  while (journal.stats().freeBytes > plan.journalRoomLeft);
  return media;
}

interface AgentPorts {
  flash: Flash;
  boot: BootControl;
  sha256: Sha256;
}

export class StorageDevice {
  readonly layout: StorageLayout;
  readonly sha256: Sha256;

  constructor(
    readonly media: FlashMedia,
    readonly plan: UpdatePlan,
    sha256: Sha256 = nobleSha256,
  ) {
    this.sha256 = sha256;
    const probe = media.attach(new PowerRail());
    this.layout = makeLayout(probe, plan.layout);
  }

  /** One power-on: bootloader, then the agent's storage duties. Never throws. */
  bootOnce(options: { cutDuringTrial?: boolean } = {}): BootReport {
    const rail = new PowerRail();
    const flash = this.media.attach(rail);
    let outcome: BootOutcome = { kind: 'halt', row: 0, reason: 'power lost in the bootloader' };
    try {
      outcome = bootloader(flash, this.layout, this.sha256).boot();
      if (outcome.kind === 'halt') return { end: 'halt', outcome };
      const bank = outcome.bank;
      const boot = {
        runningBank: () => {
          rail.check();
          return bank;
        },
        restart: () => rail.cut('restart'),
      };
      if (outcome.trial && options.cutDuringTrial) {
        rail.cut('power lost during the trial boot');
        return { end: 'cut', outcome };
      }
      return { end: this.agent({ flash, boot, sha256: this.sha256 }), outcome };
    } catch (e) {
      if (!rail.alive && rail.reason !== 'restart') return { end: 'cut', outcome };
      if (!rail.alive) return { end: 'restart', outcome };
      const error = `${(e as Error).name}: ${(e as Error).message}`;
      // A typed storage failure (a read-back that differs, a read fault) is the agent's to retry after a reboot;
      // anything else (a FlashMisuse, an untyped throw) is a bug and ends the run.
      if (outcome.kind === 'boot' && isOtaError(e)) return { end: 'error', outcome, error };
      return { end: 'halt', outcome, error };
    }
  }

  /** Boots until a boot has nothing left to do (or the bound is hit). */
  settle(maxBoots = 20, before?: (boot: number) => { cutDuringTrial?: boolean } | void): BootReport[] {
    const reports: BootReport[] = [];
    for (let i = 0; i < maxBoots; i++) {
      const r = this.bootOnce(before?.(i) ?? {});
      r.activated = this.activated();
      reports.push(r);
      if (r.end === 'idle' || r.end === 'halt') break;
    }
    return reports;
  }

  /** The agent's storage duties for this boot. */
  private agent(ports: AgentPorts): BootEnd {
    const p = this.plan;
    const layout = this.layout;
    const status = bootStatus(ports, layout);
    if (status.kind === 'trial') {
      if (p.selfTest === 'hang') return 'hang';
      confirmTrial(ports, layout, p.confirmFloor);
      clearDownloadProgress(Journal.open(ports.flash, layout));
      return 'confirmed';
    }
    if (status.kind !== 'confirmed') throw new Error(`unexpected boot status ${status.kind}`);
    const record = status.record;
    const journal = Journal.open(ports.flash, layout);
    const progress = readDownloadProgress(journal);
    if (equalBytes(record.confirmed.digest, p.newDigest) || isRefused(record, p.newVersion, p.newDigest)) {
      // Done (or given up): a progress record left by a cut is cleared.
      if (progress) clearDownloadProgress(journal);
      return 'idle';
    }
    let mine = progress && sameImage(progress, p.identity) ? progress : undefined;
    if (mine && mine.stage >= DownloadStage.payloadComplete) {
      if (this.bankHolds(ports, record)) {
        if (mine.stage < DownloadStage.metadataWritten || !this.metadataHeld(ports, mine.bank)) {
          writeMetadata(ports, layout, p.metadata, this.metaImage());
          this.record(journal, mine.bank, p.newPayload.length, DownloadStage.metadataWritten);
        }
        return this.activate(ports);
      }
      mine = undefined;
    }
    if (!mine && progress) clearDownloadProgress(journal); // nothing may vouch for bytes begin() erases
    const bank = 1 - ports.boot.runningBank();
    const writer = mine
      ? BankWriter.resume(ports, layout, p.newPayload.length, mine.payloadOffset, {
          onStepBack: (offset) => this.record(journal, bank, offset, DownloadStage.downloading),
        })
      : BankWriter.begin(ports, layout, p.newPayload.length);
    const rng = new Rng(p.chunkSeed + writer.offset);
    let lastRecorded = writer.offset;
    while (writer.offset < p.newPayload.length) {
      const at = writer.offset;
      const n = Math.min(p.newPayload.length - at, 32 + rng.int(0, 96));
      writer.write(at, p.newPayload.subarray(at, at + n));
      if (writer.offset - lastRecorded >= p.progressEvery) {
        const durable = writer.flush();
        this.record(journal, writer.bank, durable, DownloadStage.downloading);
        lastRecorded = durable;
      }
    }
    writer.finish(p.newDigest);
    this.record(journal, writer.bank, p.newPayload.length, DownloadStage.payloadComplete);
    writeMetadata(ports, layout, p.metadata, this.metaImage());
    this.record(journal, writer.bank, p.newPayload.length, DownloadStage.metadataWritten);
    return this.activate(ports);
  }

  private metaImage() {
    return { version: this.plan.newVersion, length: this.plan.newPayload.length, digest: this.plan.newDigest };
  }

  private activate(ports: AgentPorts): BootEnd {
    activateTrial(ports, this.layout, {
      version: this.plan.newVersion,
      length: this.plan.newPayload.length,
      digest: this.plan.newDigest,
    });
    ports.boot.restart();
    return 'restart';
  }

  private record(journal: Journal, bank: number, payloadOffset: number, stage: DownloadProgress['stage']): void {
    recordDownloadProgress(journal, {
      ...this.plan.identity,
      fileOffset: this.plan.payloadFileOffset + payloadOffset,
      payloadOffset,
      payloadLength: this.plan.newPayload.length,
      bank,
      stage,
    });
  }

  /** No hash state survives a reboot: the finished bank is re-hashed from flash before use. */
  private bankHolds(ports: AgentPorts, record: BootRecord): boolean {
    const bank = this.layout.banks[record.confirmed.bank === 0 ? 1 : 0];
    return equalBytes(
      hashFlash(ports.flash, this.sha256, bank.offset, this.plan.newPayload.length),
      this.plan.newDigest,
    );
  }

  private metadataHeld(ports: AgentPorts, bank: number): boolean {
    const m = readMetadata(ports.flash, this.layout, bank);
    return m !== undefined && equalBytes(m, this.plan.metadata);
  }

  private activated(): boolean {
    let rec: BootRecord;
    try {
      rec = this.bootRecord();
    } catch {
      return false;
    }
    const n = this.plan.newDigest;
    return (
      rec.state === 'trial' ||
      equalBytes(rec.confirmed.digest, n) ||
      (rec.refused !== undefined && equalBytes(rec.refused.digest, n))
    );
  }

  /** Which part of the layout a flash offset falls in (for logs and coverage lines). */
  areaOf(offset: number): 'boot-record' | 'journal' | 'metadata' | 'bank' | 'other' {
    const s = Math.floor(offset / this.layout.sectorSize);
    if (this.layout.bootSectors.includes(s)) return 'boot-record';
    if (this.layout.journalSectors.includes(s)) return 'journal';
    for (const b of this.layout.banks) {
      if (s >= b.metaFirstSector && s < b.metaFirstSector + b.metaSectorCount) return 'metadata';
      if (s >= b.firstSector && s < b.firstSector + b.sectorCount) return 'bank';
    }
    return 'other';
  }

  /** The standing boot record, read without a cut (for checks). */
  bootRecord(): BootRecord {
    return readBootRecord(this.media.attach(new PowerRail()), this.layout);
  }
}
