/**
 * PEM text (RFC 7468) and DER files: reading, writing, telling them apart. What cannot be
 * read throws a CliError with an IO_* code (exit 3), never a bare Error.
 */
import { isOtaError } from '../../device/errors.js';
import { readRoot, parseCertificate } from '../../device/pki/index.js';
import { IoError, ioError } from '../io/io-errors.js';
import { readInput } from '../io/read-input.js';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Every PEM block in `text`, in order. Text outside blocks (openssl's "Bag Attributes", a
 * pasted e-mail) is ignored, however long. A BEGIN line without its END is a truncated file.
 */
export function pemDecode(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  let covered = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw ioError(IoError.pemBase64, `PEM block ${m[1]} is not base64`);
    }
    out.push({ label: m[1], der: Uint8Array.from(Buffer.from(body, 'base64')) });
    covered = re.lastIndex;
  }
  const open = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text.slice(covered));
  if (open) throw ioError(IoError.pemTruncated, `PEM block ${open[1]} has no END line (truncated?)`);
  return out;
}

/**
 * PEM when "-----BEGIN " appears anywhere in the bytes, whatever precedes it; DER when
 * it does not, or when the whole input is one DER value (which may hold that text).
 */
export function looksLikePem(bytes: Uint8Array): boolean {
  if (!Buffer.from(bytes).toString('latin1').includes('-----BEGIN ')) return false;
  if (bytes[0] !== 0x30) return true;
  try {
    readRoot(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Certificates from PEM (one or more CERTIFICATE blocks) or DER (one certificate) bytes. */
export function certificatesFromBytes(bytes: Uint8Array, name = 'the input'): Uint8Array[] {
  let certs: Uint8Array[];
  if (looksLikePem(bytes)) {
    const blocks = pemDecode(Buffer.from(bytes).toString('latin1'));
    certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE').map((b) => b.der);
    if (certs.length === 0) {
      const found = blocks.length ? `it holds ${blocks.map((b) => b.label).join(', ')}` : 'no PEM block';
      throw ioError(IoError.pemWrongKind, `${name}: no CERTIFICATE block (${found})`);
    }
  } else certs = [bytes];
  // Bytes that are not DER at all cannot be read; a certificate the device refuses for
  // its content (an unsupported algorithm, a bad extension) is a verdict, left to the caller.
  for (const der of certs) {
    try {
      parseCertificate(der);
    } catch (e) {
      if (!isOtaError(e) || e.code.startsWith('PKI_DER_')) {
        throw ioError(
          IoError.certificate,
          `${name}: not a DER certificate (${isOtaError(e) ? e.message : String(e)})`,
          isOtaError(e) ? e.code : undefined,
        );
      }
    }
  }
  return certs;
}

/** Reads a certificate file (PEM or DER); a PEM file may hold several. */
export function readCertificateFile(path: string): Uint8Array[] {
  return certificatesFromBytes(readInput(path, 'certificate file'), path);
}
