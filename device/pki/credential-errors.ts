/**
 * Stable error codes of credential replacement (docs/PKI.md "Replacing a cell"), and the
 * GBCS CS02b "Update Security Credentials" answer each one gives. Every refusal of a
 * replacement command is an OtaError carrying one of these codes; `cs02bCode` turns it
 * into the answer the platform sends back (0 is success and has no error).
 *
 * CS02b answers (their numbers are RFC 5934 TAMP StatusCodes): 0 success, 5 bad
 * certificate, 10 no trust anchor, 17 insufficient memory, 25 trust anchor not found,
 * 30 resources busy, 127 other.
 */
export const CredentialError = {
  /** The command does not decode: not deterministic CBOR of the documented shape, or too large. (127) */
  malformed: 'CRED_COMMAND_MALFORMED',
  /** The command's format version is not one this device reads. (127) */
  version: 'CRED_COMMAND_VERSION',
  /** The command names a cell or an authority that is not one of the device's cells. (25) */
  unknownCell: 'CRED_UNKNOWN_CELL',
  /** The authority named may not replace the cell named (the authorisation matrix). (10) */
  notAuthorised: 'CRED_NOT_AUTHORISED',
  /** The authority's cell holds no certificate: nothing can vouch for the command. (10) */
  authorityAbsent: 'CRED_AUTHORITY_ABSENT',
  /** The authority's own cell fails its profile (or is expired at a trusted time). (10) */
  authorityInvalid: 'CRED_AUTHORITY_INVALID',
  /** The command's signature does not verify with the authority's key. (10) */
  signature: 'CRED_SIGNATURE',
  /** The command names another device. (127) */
  wrongDevice: 'CRED_WRONG_DEVICE',
  /** The command's counter equals the one in force: a replay. (127) */
  replayed: 'CRED_REPLAYED',
  /** The command's counter is below the one in force: an older credential set. (127) */
  counterLower: 'CRED_COUNTER_LOWER',
  /** The new certificate does not parse or fails the cell's profile (role, key usage, policies, validity). (5) */
  badCertificate: 'CRED_BAD_CERTIFICATE',
  /** The new certificate does not chain to the Root anchor in force through the path given. (5) */
  badPath: 'CRED_BAD_PATH',
  /** No Root cell is in force, so no new certificate can be chained to it. (10) */
  noRoot: 'CRED_NO_ROOT',
  /** The new credential set does not fit the record that keeps it. (17) */
  tooLarge: 'CRED_TOO_LARGE',
  /** A trial is running (or the agent is still booting): try again once it has ended. (30) */
  busy: 'CRED_BUSY',
  /** The new set could not be written (a flash port failed); the old set stands. (127) */
  storeWrite: 'CRED_STORE_WRITE',
  /** The credentials on flash could not be read at start: the provisioned set stands (an agent note, never an answer). (127) */
  read: 'CRED_READ',
  /** Anything else (a port that threw where it promised not to). (127) */
  internal: 'CRED_INTERNAL',
  /** The credentials port refused the agent's handler at start: no command can arrive (an agent note, never an answer). (127) */
  portFailed: 'CRED_PORT_FAILED',
} as const;
export type CredentialErrorCode = (typeof CredentialError)[keyof typeof CredentialError];

/** CS02b answer codes. */
export const Cs02bCode = {
  success: 0,
  badCertificate: 5,
  noTrustAnchor: 10,
  insufficientMemory: 17,
  trustAnchorNotFound: 25,
  resourcesBusy: 30,
  other: 127,
} as const;
export type Cs02bCodeValue = (typeof Cs02bCode)[keyof typeof Cs02bCode];

/** The CS02b answer for each refusal; anything not in this table answers 127. */
export const CS02B_FOR: Readonly<Record<CredentialErrorCode, Cs02bCodeValue>> = {
  CRED_COMMAND_MALFORMED: Cs02bCode.other,
  CRED_COMMAND_VERSION: Cs02bCode.other,
  CRED_UNKNOWN_CELL: Cs02bCode.trustAnchorNotFound,
  CRED_NOT_AUTHORISED: Cs02bCode.noTrustAnchor,
  CRED_AUTHORITY_ABSENT: Cs02bCode.noTrustAnchor,
  CRED_AUTHORITY_INVALID: Cs02bCode.noTrustAnchor,
  CRED_SIGNATURE: Cs02bCode.noTrustAnchor,
  CRED_WRONG_DEVICE: Cs02bCode.other,
  CRED_REPLAYED: Cs02bCode.other,
  CRED_COUNTER_LOWER: Cs02bCode.other,
  CRED_BAD_CERTIFICATE: Cs02bCode.badCertificate,
  CRED_BAD_PATH: Cs02bCode.badCertificate,
  CRED_NO_ROOT: Cs02bCode.noTrustAnchor,
  CRED_TOO_LARGE: Cs02bCode.insufficientMemory,
  CRED_BUSY: Cs02bCode.resourcesBusy,
  CRED_STORE_WRITE: Cs02bCode.other,
  CRED_READ: Cs02bCode.other,
  CRED_INTERNAL: Cs02bCode.other,
  CRED_PORT_FAILED: Cs02bCode.other,
};

/** The CS02b answer for an error code (127 for a code outside this table). */
export function cs02bCode(errorCode: string): Cs02bCodeValue {
  return (CS02B_FOR as Record<string, Cs02bCodeValue>)[errorCode] ?? Cs02bCode.other;
}
