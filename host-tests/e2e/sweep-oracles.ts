/**
 * The oracles of the whole-update sweeps: what a finished update must have left on the
 * chip and told the supplier, whatever cut it survived. Each check names what is wrong,
 * so a sweep lists every failing cut with its reason.
 */
import type { Report } from '../../device/ports.js';
import type { TracedResult } from '../../sim/update-world.js';

/** The factory image runs from bank 0; the update goes to bank 1. */
export const ACTIVE_BANK_AFTER_UPDATE = 1;

export interface UpdateVersions {
  from: number;
  to: number;
  newBank: number;
  /** Power cuts the run took (each may cost one re-verification, or one arming cut short). */
  cuts: number;
}

const count = (reports: Report[], pred: (r: Report) => boolean) => reports.filter(pred).length;

/** What is wrong with the durable state and the reports of a run that ended confirmed or rolled back; undefined when nothing. */
export function updateFault(r: TracedResult, v: UpdateVersions): string | undefined {
  if (r.misuse.length > 0) return `flash misuse: ${r.misuse[0]}`;
  const f = r.final;
  if (f.journalError) return `journal unreadable: ${f.journalError}`;
  if (!f.record) return 'no valid boot record';
  if (f.record.state !== 'confirmed') return `boot record left in state ${f.record.state}`;
  if (f.armed) return 'an ARMED record outlived the reported outcome';
  if (f.progress) return 'download progress outlived the update';
  const reports = r.reports;
  const successes = count(reports, (x) => x.kind === 'activation' && x.success);
  const failures = count(reports, (x) => x.kind === 'activation' && !x.success);
  const refusals = count(reports, (x) => x.kind === 'verification' && x.alertCode !== 0x8f72);
  const reofferRefusals = count(
    reports,
    (x) => x.kind === 'verification' && x.alertCode === 0x8f1c && x.errorCode === 'BOOT_IMAGE_REFUSED',
  );
  const verified = count(reports, (x) => x.kind === 'verification' && x.alertCode === 0x8f72);
  const versions = reports.flatMap((x) => (x.kind === 'firmware-version' ? [x.version] : []));
  if (versions.length === 0) return 'no firmware-version report';
  if (r.outcome === 'confirmed') {
    if (refusals > 0) return `${refusals} refusal or power-on alerts`;
    if (f.record.confirmed.version !== v.to || f.record.confirmed.bank !== v.newBank)
      return `confirmed slot holds 0x${f.record.confirmed.version.toString(16)} in bank ${f.record.confirmed.bank}`;
    // The floor rises to the previous version, kept whole as the fallback (docs/BOOT.md row 7);
    // it rises to the running version when the next download releases that fallback.
    if (f.record.floor !== v.from)
      return `rollback floor 0x${f.record.floor.toString(16)}, not 0x${v.from.toString(16)} (the fallback's) at confirm`;
    if (f.record.fallback?.version !== v.from || f.record.fallback.bank === v.newBank)
      return 'the previous image is not kept as the fallback';
    if (successes !== 1) return `activation success reported ${successes} times`;
    const success = reports.find((x) => x.kind === 'activation' && x.success);
    if (success?.kind === 'activation' && success.version !== v.to)
      return `activation success names 0x${success.version.toString(16)}`;
    // Only an arming cut short is reported as a failure (then the held image activates again): one per cut at most.
    if (failures > v.cuts) return `activation failure reported ${failures} times with ${v.cuts} cuts`;
    // Once on receipt, once more for each cut between verification and activation (the next boot verifies it again).
    if (verified < 1 || verified > 1 + v.cuts) return `0x8F72 reported ${verified} times with ${v.cuts} cuts`;
    if (versions.at(-1) !== v.to) return `last firmware version 0x${versions.at(-1)!.toString(16)}`;
    return undefined;
  }
  if (r.outcome === 'rolled-back') {
    if (f.record.confirmed.version !== v.from)
      return `rolled back but running 0x${f.record.confirmed.version.toString(16)}`;
    if (f.record.floor !== v.from) return `rolled back with floor 0x${f.record.floor.toString(16)}`;
    if (f.record.refused?.version !== v.to) return 'the reverted image is not refused by the boot record';
    // The CH offers the reverted image again: refused before any erase, once per boot after the roll back.
    if (refusals !== reofferRefusals)
      return `${refusals - reofferRefusals} alerts other than the re-offer's BOOT_IMAGE_REFUSED`;
    if (reofferRefusals > versions.length)
      return `the re-offer refused ${reofferRefusals} times in ${versions.length} boots`;
    if (successes !== 0) return `activation success reported ${successes} times after a roll back`;
    // The revert itself, plus at most one arming cut short per cut.
    if (failures < 1 || failures > Math.max(1, v.cuts))
      return `activation failure reported ${failures} times with ${v.cuts} cuts`;
    if (versions.at(-1) !== v.from) return `last firmware version 0x${versions.at(-1)!.toString(16)}`;
    return undefined;
  }
  return `ended ${r.outcome}`;
}
