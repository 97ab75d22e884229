/**
 * Stable codes of inputs that could not be read and outputs that could not be written
 * (exit 3). A script can tell them from a verdict (exit 1): the check did not happen.
 */
import { CliError, ExitCode } from '../command.js';

export const IoError = {
  /** No such file. */
  notFound: 'IO_NOT_FOUND',
  /** A directory where a file was expected. */
  isDirectory: 'IO_IS_DIRECTORY',
  /** The file exists but may not be read (or written). */
  permission: 'IO_PERMISSION',
  /** Any other failure of the file system while reading. */
  read: 'IO_READ',
  /** A PEM block without its END line (a truncated file). */
  pemTruncated: 'IO_PEM_TRUNCATED',
  /** A PEM block whose body is not base64. */
  pemBase64: 'IO_PEM_BASE64',
  /** PEM text without a block of the kind needed (a key given where a certificate goes, ...). */
  pemWrongKind: 'IO_PEM_WRONG_KIND',
  /** Bytes that are not a certificate (DER) where one is needed. */
  certificate: 'IO_CERTIFICATE',
  /** Bytes that are not a P-256 private key (SEC1 or PKCS#8, PEM or DER). */
  privateKey: 'IO_PRIVATE_KEY',
  /** A trust store file the device's decoder refuses (its PKI_TRUST_STORE_* code is the cause). */
  trustStore: 'IO_TRUST_STORE',
  /** An output file or directory that could not be written; nothing of the set was left. */
  write: 'IO_WRITE',
} as const;

export type IoErrorCode = (typeof IoError)[keyof typeof IoError];

export function ioError(code: IoErrorCode, message: string, cause?: string): CliError {
  return new CliError(ExitCode.unreadable, code, message, cause === undefined ? {} : { cause });
}

/** The IoError code for a Node file-system error (ENOENT, EISDIR, EACCES, ...). */
export function ioCodeOf(e: unknown, fallback: IoErrorCode): IoErrorCode {
  switch ((e as { code?: string }).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return IoError.notFound;
    case 'EISDIR':
      return IoError.isDirectory;
    case 'EACCES':
    case 'EPERM':
      return IoError.permission;
    default:
      return fallback;
  }
}
