/**
 * What a certificate must be to sit in a trust anchor cell, checked when a store is built
 * (createTrustStore, replaceCell) and again each time a cell is used (the GBCS supplier
 * signature check). A cell's key is trusted because of where it sits, so the cell is the
 * only place its role and key usage can be enforced: a Supplier's keyAgreement key or a
 * Network Operator's (role 03) signing key must never authorise firmware.
 *
 *   root               the SMKI Root profile (keyCertSign, cA, no AKI, OU 00 when present)
 *   recovery           an SMKI Organisation Certificate, role 01, keyUsage exactly digitalSignature
 *   supplier1/2        an SMKI Organisation Certificate, role 02, keyUsage exactly digitalSignature
 *   manufacturer       an RFC 5280 CA: basicConstraints cA TRUE, keyCertSign when keyUsage is present
 *
 * Every one: no nameConstraints (not implemented; a constrained anchor is refused rather
 * than treated as unconstrained). Validity: the four cells must satisfy notBefore ≤ now ≤
 * notAfter whenever `now` is a trusted time; without one nothing is checked and the caller
 * says so. The manufacturer anchor's validity is never checked (RFC 5280 §6.1.1 d: an
 * anchor is a name and a key): it is a constant of the firmware build that no message can
 * replace, and an expiry date in it would stop every future update of the device.
 */
import { OtaError } from '../errors.js';
import type { WallTime } from '../ports.js';
import type { AnchorCell } from './api.js';
import { KeyUsageBit, Oid } from './oids.js';
import { PathError } from './path.js';
import { checkSmkiAnchor, checkSmkiSigningCertificate, SmkiError, SmkiRole } from './smki.js';
import { parseCertificate, type Certificate } from './x509.js';
import { TrustStoreError } from './trust-store.js';
import type { PkiErrorCode } from './pki-errors.js';

/** A replaceable cell, or the build's manufacturer anchor. */
export type CellKind = AnchorCell | 'manufacturer';

/** The SMKI role each signing cell must carry in its OU. */
const CELL_ROLE: Partial<Record<CellKind, number>> = {
  recovery: SmkiRole.recovery,
  supplier1: SmkiRole.supplier,
  supplier2: SmkiRole.supplier,
};

function fail(code: PkiErrorCode, message: string): never {
  throw new OtaError(code, message);
}

/** True when `now` is a time the device trusts (set by an authenticated source). */
export function isTrustedTime(now: WallTime | undefined): now is WallTime {
  return !!now && now.trusted === true && Number.isFinite(now.unixSeconds);
}

/**
 * Checks `cert` for `cell` and, at a trusted time, its validity period. Throws OtaError
 * with the profile's code (PKI_PROFILE_SMKI_*, PKI_BASIC_CONSTRAINTS, PKI_KEY_USAGE,
 * PKI_NAME_CONSTRAINTS_UNSUPPORTED, PKI_EXPIRED, PKI_NOT_YET_VALID); the message names the cell.
 */
export function checkCellCertificate(cell: CellKind, cert: Certificate, now?: WallTime): void {
  const what = `cell ${cell}`;
  if (cert.extensions.some((e) => e.oid === Oid.nameConstraints)) {
    fail(PathError.nameConstraints, `${what}: a constrained anchor is refused (nameConstraints are not implemented)`);
  }
  if (cell === 'root') {
    try {
      checkSmkiAnchor(cert);
    } catch (e) {
      throw prefixed(e, what);
    }
  } else if (cell === 'manufacturer') {
    if (!cert.basicConstraints?.cA) fail(PathError.basicConstraints, `${what}: the manufacturer anchor is not a CA`);
    if (cert.keyUsage !== undefined && (cert.keyUsage & KeyUsageBit.keyCertSign) === 0) {
      fail(PathError.keyUsage, `${what}: the manufacturer anchor lacks keyCertSign`);
    }
    return; // validity deliberately not checked: see the file header
  } else {
    const role = CELL_ROLE[cell];
    if (role === undefined) fail(TrustStoreError.unknownCell, `unknown anchor cell ${String(cell)}`);
    let identity: { role: number };
    try {
      identity = checkSmkiSigningCertificate(cert, what);
    } catch (e) {
      throw prefixed(e, what);
    }
    if (identity.role !== role) {
      fail(SmkiError.role, `${what}: role ${hex2(identity.role)} is not the cell's role ${hex2(role)}`);
    }
  }
  if (isTrustedTime(now)) {
    const at = `(trusted time ${now.unixSeconds})`;
    if (now.unixSeconds < cert.notBefore)
      fail(PathError.notYetValid, `${what}: not valid before ${cert.notBefore} ${at}`);
    if (now.unixSeconds > cert.notAfter) fail(PathError.expired, `${what}: expired at ${cert.notAfter} ${at}`);
  }
}

/** Parses `der` and checks it for `cell`; returns the parsed certificate. Throws OtaError (PKI_*) only. */
export function checkCell(cell: CellKind, der: Uint8Array, now?: WallTime): Certificate {
  const cert = parseCertificate(der);
  checkCellCertificate(cell, cert, now);
  return cert;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The same error, its message naming the cell instead of the generic subject ('anchor', 'cell x'). */
function prefixed(e: unknown, what: string): unknown {
  if (!(e instanceof OtaError)) return e;
  const text = e.message.slice(e.code.length + 2);
  return text.startsWith(what) ? e : new OtaError(e.code, `${what}: ${text.replace(/^anchor: /, '')}`);
}
