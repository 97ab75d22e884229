/**
 * The one error class of the agent. Every refusal and failure carries a stable `code`
 * from one of the error tables (storage-errors.ts, image-errors.ts, agent-errors.ts, ...;
 * docs/REPORTS.md lists every code) that a supplier can be told; `message` is for people.
 * Nothing else is thrown out of device/ on purpose.
 */
import type { AgentErrorCode, SinkErrorCode, OtaClientErrorCode } from './agent/index.js';
import type { ImageErrorCode } from './image/index.js';
import type { CredentialErrorCode, PkiErrorCode } from './pki/index.js';
import type { LinErrorCode } from './platform/lin/lin-errors.js';
import type { StorageErrorCode } from './storage/index.js';
import type { CborErrorCode } from './util/index.js';
import type { ZclErrorCode } from './zigbee/index.js';

/**
 * The error tables, one entry per table. Code outside device/ with codes of its own (the
 * emulator's test-image format) adds its table's type here by declaration merging, so its
 * codes are checked the same way and device/ never depends on it.
 */
export interface OtaErrorCodeTables {
  storage: StorageErrorCode;
  image: ImageErrorCode;
  pki: PkiErrorCode;
  /** Credential replacement (CS02b-like commands). */
  credential: CredentialErrorCode;
  cbor: CborErrorCode;
  zcl: ZclErrorCode;
  otaClient: OtaClientErrorCode;
  agent: AgentErrorCode;
  sink: SinkErrorCode;
  /** The lin build's ports (device/platform/lin). */
  lin: LinErrorCode;
}

/** Every stable code: a misspelt one fails the type check. */
export type OtaErrorCode = OtaErrorCodeTables[keyof OtaErrorCodeTables];

export class OtaError extends Error {
  readonly code: OtaErrorCode;
  constructor(code: OtaErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    // Defined, not assigned: a Moddable build that preloads modules freezes Error.prototype,
    // and assigning over its read-only `name` throws a TypeError instead of this error.
    Object.defineProperty(this, 'name', { value: 'OtaError', writable: true, configurable: true });
  }
}

/** True for an OtaError carrying `code` (or any OtaError when no code is given). */
export function isOtaError(e: unknown, code?: OtaErrorCode): e is OtaError {
  return e instanceof OtaError && (code === undefined || e.code === code);
}

/** Turns whatever a port threw into an OtaError with `code`, keeping OtaErrors as they are. */
export function asOtaError(e: unknown, code: OtaErrorCode): OtaError {
  if (e instanceof OtaError) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new OtaError(code, text);
}
