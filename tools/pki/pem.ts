/** PEM text (RFC 7468) and DER files: reading, writing, telling them apart. */
import { readFileSync } from 'node:fs';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block in `text`, in order. Text outside blocks (openssl's "Bag Attributes") is ignored. */
export function pemDecode(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new Error(`PEM block ${m[1]} is not base64`);
    out.push({ label: m[1], der: Uint8Array.from(Buffer.from(body, 'base64')) });
  }
  return out;
}

export function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes('-----BEGIN ');
}

/** Certificates from PEM (one or more CERTIFICATE blocks) or DER (one certificate) bytes. */
export function certificatesFromBytes(bytes: Uint8Array): Uint8Array[] {
  if (!looksLikePem(bytes)) return [bytes];
  const certs = pemDecode(Buffer.from(bytes).toString('latin1')).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
  if (certs.length === 0) throw new Error('no CERTIFICATE block in the PEM text');
  return certs.map((b) => b.der);
}

/** Reads a certificate file (PEM or DER); a PEM file may hold several. */
export function readCertificateFile(path: string): Uint8Array[] {
  return certificatesFromBytes(Uint8Array.from(readFileSync(path)));
}
