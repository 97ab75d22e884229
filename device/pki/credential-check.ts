/**
 * Decides a credential replacement command against the credentials in force: pure, no
 * I/O. Returns the new credential set (the cells with the one replaced, and the command's
 * counter) or throws OtaError with a CRED_* code (credential-errors.ts gives its CS02b
 * answer). The checks run in this order, so the first failing one names the refusal:
 *
 *   1. the command decodes (CRED_COMMAND_MALFORMED, CRED_COMMAND_VERSION, CRED_UNKNOWN_CELL)
 *   2. the authority may replace the cell (credential-authority.ts; CRED_NOT_AUTHORISED)
 *   3. the authority's cell holds a certificate that passes its profile at a trusted time
 *      (CRED_AUTHORITY_ABSENT, CRED_AUTHORITY_INVALID)
 *   4. the signature verifies with the authority's key (CRED_SIGNATURE)
 *   5. the command names this device, when it names one or the device has an id (CRED_WRONG_DEVICE)
 *   6. the counter is above the one in force (CRED_REPLAYED, CRED_COUNTER_LOWER)
 *   7. the new certificate passes the cell's profile (cell-profile.ts), validity included
 *      at a trusted time (CRED_BAD_CERTIFICATE)
 *   8. it chains to the Root anchor in force through the path given, SMKI profile, with
 *      the cell's role (CRED_NO_ROOT, CRED_BAD_PATH); a new Root instead must be
 *      self-signed and carry no path
 *
 * Authentication (2–4) comes before anything that reads the counter or the certificate,
 * so an unauthenticated sender learns nothing but "no trust anchor".
 */
import { asOtaError, OtaError, type OtaErrorCode } from '../errors.js';
import type { WallTime } from '../ports.js';
import { equalBytes } from '../util/index.js';
import type { AnchorCell, PkiCrypto, TrustStore } from './api.js';
import { mayReplace } from './credential-authority.js';
import { decodeCredentialCommand, type CredentialCommand } from './credential-command.js';
import { CredentialError } from './credential-errors.js';
import { checkCell } from './cell-profile.js';
import { signatureMatches, verifyChain } from './path.js';
import { SmkiRole } from './smki.js';
import { PkiError } from './pki-errors.js';
import { replaceCell } from './trust-store.js';
import type { Certificate } from './x509.js';

export interface CredentialCheckContext {
  /** The credentials in force. */
  store: TrustStore;
  crypto: PkiCrypto;
  /** Validity is checked only when this is a trusted time. */
  now?: WallTime;
  /** The device's EUI-64, when the build knows it: a command must then name it. */
  deviceId?: Uint8Array;
}

export interface CredentialReplacement {
  command: CredentialCommand;
  /** The credential set once the command is applied: `store` with the cell replaced and the command's counter. */
  next: TrustStore;
}

/** The SMKI role the new certificate of each signing cell must carry. */
const LEAF_ROLE: Partial<Record<AnchorCell, number>> = {
  recovery: SmkiRole.recovery,
  supplier1: SmkiRole.supplier,
  supplier2: SmkiRole.supplier,
};

function fail(code: OtaErrorCode, message: string): never {
  throw new OtaError(code, message);
}

/** Throws with `code`, the inner error's code and message kept in the message. */
function wrapped<T>(code: OtaErrorCode, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new OtaError(code, asOtaError(e, PkiError.internal).message);
  }
}

function sha256(crypto: PkiCrypto, bytes: Uint8Array): Uint8Array {
  const h = crypto.sha256.create();
  h.update(bytes);
  return h.digest();
}

function signatureVerifies(crypto: PkiCrypto, digest: Uint8Array, signature: Uint8Array, key: Uint8Array): boolean {
  try {
    return crypto.p256.verify(digest, signature, key, 'raw') === true;
  } catch {
    return false; // the port promises not to throw; if it does, the signature counts as invalid
  }
}

function check(bytes: Uint8Array, ctx: CredentialCheckContext): CredentialReplacement {
  const command = decodeCredentialCommand(bytes);
  const { cell, authority } = command;
  const store = ctx.store;
  if (!mayReplace(authority, cell)) fail(CredentialError.notAuthorised, `${authority} may not replace cell ${cell}`);
  const authorityDer = store.cells[authority];
  if (!authorityDer) fail(CredentialError.authorityAbsent, `the ${authority} cell holds no certificate`);
  const authorityCert = wrapped(CredentialError.authorityInvalid, () => checkCell(authority, authorityDer, ctx.now));
  if (!signatureVerifies(ctx.crypto, sha256(ctx.crypto, command.body), command.signature, authorityCert.publicKey)) {
    fail(CredentialError.signature, `the signature does not verify with the ${authority} cell's key`);
  }
  if (command.target || ctx.deviceId) {
    if (!command.target || !ctx.deviceId || !equalBytes(command.target, ctx.deviceId))
      fail(CredentialError.wrongDevice, 'the command does not name this device');
  }
  const inForce = store.counter ?? 0;
  if (command.counter === inForce) fail(CredentialError.replayed, `counter ${command.counter} was applied already`);
  if (command.counter < inForce)
    fail(CredentialError.counterLower, `counter ${command.counter} is below the one in force (${inForce})`);
  const cert = wrapped(CredentialError.badCertificate, () => checkCell(cell, command.certificate, ctx.now));
  if (cell === 'root') checkNewRoot(command, cert, ctx.crypto);
  else {
    const root = store.cells.root;
    if (!root) fail(CredentialError.noRoot, 'no Root cell is in force to chain the new certificate to');
    wrapped(CredentialError.badPath, () =>
      verifyChain([command.certificate, ...command.path], [root], {
        profile: 'smki',
        leafRole: LEAF_ROLE[cell],
        now: ctx.now,
        crypto: ctx.crypto,
      }),
    );
  }
  const next = wrapped(CredentialError.badCertificate, () => replaceCell(store, cell, command.certificate, ctx.now));
  next.counter = command.counter;
  return { command, next };
}

/** A new Root: the Root profile (checked by checkCell), no path, and a signature that its own key verifies. */
function checkNewRoot(command: CredentialCommand, cert: Certificate, crypto: PkiCrypto): void {
  if (command.path.length > 0) fail(CredentialError.badPath, 'a new Root carries no certification path');
  if (!equalBytes(cert.subject.der, cert.issuer.der) || !signatureMatches(cert, cert.publicKey, crypto)) {
    fail(CredentialError.badCertificate, 'the new Root is not self-signed');
  }
}

/**
 * Checks `bytes` as a replacement command against the credentials in force. Returns the
 * command and the new set; throws OtaError with a CRED_* code and nothing else.
 */
export function checkCredentialCommand(bytes: Uint8Array, ctx: CredentialCheckContext): CredentialReplacement {
  try {
    return check(bytes, ctx);
  } catch (e) {
    const err = asOtaError(e, CredentialError.internal);
    throw err.code.startsWith('CRED_') ? err : new OtaError(CredentialError.internal, err.message);
  }
}
