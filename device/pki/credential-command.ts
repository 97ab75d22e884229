/**
 * The credential replacement command, modelled on GBCS CS02b "Update Security
 * Credentials": it names the cell to replace and the replacing authority, carries the new
 * certificate and its certification path and a counter that only increases, and is signed
 * by the authority (docs/PKI.md "Replacing a cell" is the contract with signers).
 *
 * Encoding, deterministic CBOR (device/util/cbor.ts) with integer keys:
 *
 *   command = { 1: body (bstr), 2: signature (bstr, 64 bytes r‖s) }
 *   body    = { 1: format version (1),
 *               2: cell to replace (0 root, 1 recovery, 2 supplier1, 3 supplier2),
 *               3: replacing authority (a cell index, the same numbers),
 *               4: counter (unsigned, 1 .. 2^53 - 1; above every counter applied before),
 *               5: the new certificate (DER),
 *               6: its certification path (array of DER certificates, the new
 *                  certificate's issuer first, up to but not including the Root; empty
 *                  for a new Root),
 *               7: the target device's EUI-64 (8 bytes; optional) }
 *   signature: ECDSA P-256 over SHA-256(body), with the key in the authority's cell.
 *
 * The signature covers the body's exact bytes, which must be deterministic CBOR (they
 * encode again to themselves), so one command has one encoding. RAM: the command as it
 * arrived (at most MAX_CREDENTIAL_COMMAND_BYTES) and its decoded fields.
 */
import { asOtaError, OtaError } from '../errors.js';
import { equalBytes } from '../util/index.js';
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../util/index.js';
import { ANCHOR_CELLS, type AnchorCell } from './api.js';
import { CredentialError } from './credential-errors.js';
import { MAX_CHAIN_LENGTH } from './path.js';
import { MAX_CERT_BYTES } from './x509.js';

export const CREDENTIAL_COMMAND_VERSION = 1;
/** Most intermediates in a command's path (the new certificate is the path's leaf). */
export const MAX_PATH_CERTIFICATES = MAX_CHAIN_LENGTH - 1;
/** Largest command accepted: a certificate, a full path, and the envelope. */
export const MAX_CREDENTIAL_COMMAND_BYTES = (1 + MAX_PATH_CERTIFICATES) * MAX_CERT_BYTES + 256;
export const RAW_SIGNATURE_BYTES = 64;
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;
const EUI64_BYTES = 8;

const Key = { version: 1, cell: 2, authority: 3, counter: 4, certificate: 5, path: 6, target: 7 } as const;

/** What a command says, before anything is checked against the device's trust. */
export interface CredentialCommandBody {
  cell: AnchorCell;
  authority: AnchorCell;
  counter: number;
  certificate: Uint8Array;
  path: Uint8Array[];
  target?: Uint8Array;
}

export interface CredentialCommand extends CredentialCommandBody {
  /** The signed bytes. */
  body: Uint8Array;
  signature: Uint8Array;
}

function malformed(message: string): never {
  throw new OtaError(CredentialError.malformed, message);
}

/** The body's deterministic encoding: the bytes the authority signs. Throws CRED_COMMAND_MALFORMED for a field out of range. */
export function encodeCredentialBody(b: CredentialCommandBody): Uint8Array {
  const cell = ANCHOR_CELLS.indexOf(b.cell);
  const authority = ANCHOR_CELLS.indexOf(b.authority);
  if (cell < 0 || authority < 0)
    throw new OtaError(
      CredentialError.unknownCell,
      `unknown cell ${String(b.cell)} or authority ${String(b.authority)}`,
    );
  if (!Number.isInteger(b.counter) || b.counter < 1 || b.counter > MAX_COUNTER)
    malformed(`counter ${b.counter} is not in 1 .. 2^53 - 1`);
  if (b.path.length > MAX_PATH_CERTIFICATES)
    malformed(`path of ${b.path.length} certificates (limit ${MAX_PATH_CERTIFICATES})`);
  if (b.target && b.target.length !== EUI64_BYTES) malformed('target is not an 8-byte EUI-64');
  const m = new Map<number, CborValue>([
    [Key.version, CREDENTIAL_COMMAND_VERSION],
    [Key.cell, cell],
    [Key.authority, authority],
    [Key.counter, b.counter],
    [Key.certificate, b.certificate],
    [Key.path, b.path.slice()],
  ]);
  if (b.target) m.set(Key.target, b.target);
  return encodeCbor(m);
}

/** The command: signed body and its 64-byte r‖s signature. */
export function encodeCredentialCommand(body: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== RAW_SIGNATURE_BYTES) malformed(`signature of ${signature.length} bytes`);
  return encodeCbor(
    new Map<number, CborValue>([
      [1, body],
      [2, signature],
    ]),
  );
}

/**
 * Decodes a command strictly: the shapes above, deterministic CBOR, known cells, sizes
 * within bounds. Throws OtaError: CRED_COMMAND_MALFORMED, CRED_COMMAND_VERSION or
 * CRED_UNKNOWN_CELL. The signature, counter and certificates are not checked here.
 */
export function decodeCredentialCommand(bytes: Uint8Array): CredentialCommand {
  try {
    if (!(bytes instanceof Uint8Array)) malformed('not bytes');
    if (bytes.length > MAX_CREDENTIAL_COMMAND_BYTES)
      malformed(`${bytes.length} bytes (limit ${MAX_CREDENTIAL_COMMAND_BYTES})`);
    const outer = exactMap(decodeCbor(bytes, { maxDepth: 1 }), [1, 2], [], 'command');
    const body = outer.get(1);
    const signature = outer.get(2);
    if (!(body instanceof Uint8Array) || !(signature instanceof Uint8Array))
      malformed('body and signature must be byte strings');
    if (signature.length !== RAW_SIGNATURE_BYTES) malformed(`signature of ${signature.length} bytes`);
    if (!equalBytes(encodeCbor(outer), bytes)) malformed('the command is not deterministic CBOR');
    const m = exactMap(
      decodeCbor(body, { maxDepth: 2 }),
      [Key.version, Key.cell, Key.authority, Key.counter, Key.certificate, Key.path],
      [Key.target],
      'body',
    );
    if (m.get(Key.version) !== CREDENTIAL_COMMAND_VERSION)
      throw new OtaError(CredentialError.version, `format version ${String(m.get(Key.version))}`);
    if (!equalBytes(encodeCbor(m), body)) malformed('the body is not deterministic CBOR');
    const cell = cellAt(m.get(Key.cell), 'cell');
    const authority = cellAt(m.get(Key.authority), 'authority');
    const counter = m.get(Key.counter);
    if (typeof counter !== 'number' || !Number.isInteger(counter) || counter < 1 || counter > MAX_COUNTER)
      malformed('counter is not an unsigned integer above 0');
    const certificate = m.get(Key.certificate);
    if (!(certificate instanceof Uint8Array) || certificate.length === 0 || certificate.length > MAX_CERT_BYTES)
      malformed("certificate is not a byte string of a certificate's size");
    const path = m.get(Key.path);
    if (!Array.isArray(path) || path.length > MAX_PATH_CERTIFICATES)
      malformed(`path is not an array of at most ${MAX_PATH_CERTIFICATES} certificates`);
    for (const c of path)
      if (!(c instanceof Uint8Array) || c.length === 0 || c.length > MAX_CERT_BYTES)
        malformed("a path entry is not a byte string of a certificate's size");
    const out: CredentialCommand = {
      cell,
      authority,
      counter,
      certificate,
      path: path as Uint8Array[],
      body,
      signature,
    };
    const target = m.get(Key.target);
    if (target !== undefined) {
      if (!(target instanceof Uint8Array) || target.length !== EUI64_BYTES) malformed('target is not an 8-byte EUI-64');
      out.target = target;
    }
    return out;
  } catch (e) {
    // The CBOR reader's own codes (truncated, non-canonical, duplicate key) all mean "malformed".
    const err = asOtaError(e, CredentialError.malformed);
    throw err.code.startsWith('CRED_') ? err : new OtaError(CredentialError.malformed, err.message);
  }
}

function exactMap(v: CborValue, required: number[], optional: number[], what: string): CborMap {
  if (!(v instanceof Map)) malformed(`${what} is not a map`);
  for (const k of v.keys())
    if (!required.includes(k as number) && !optional.includes(k as number))
      malformed(`${what} has unknown key ${String(k)}`);
  for (const k of required) if (!v.has(k)) malformed(`${what} lacks key ${k}`);
  return v;
}

function cellAt(v: CborValue | undefined, what: string): AnchorCell {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= ANCHOR_CELLS.length) {
    throw new OtaError(CredentialError.unknownCell, `${what} ${String(v)} is not a cell of this device`);
  }
  return ANCHOR_CELLS[v];
}
