/**
 * What `althan-ota inspect` shows: the header, every sub-element, the manifest, the
 * chain's subjects, sizes and hashes. Reads whatever it can, unsigned vendor files
 * included, with the device's decoders; problems are reported as notes, not thrown.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeChain } from '../../device/image/chain-codec.js';
import { ELEMENT_HEAD_LENGTH, Tag, TRAILER_LENGTH } from '../../device/image/image-format.js';
import { decodeManifest } from '../../device/image/manifest.js';
import { parseOtaHeader } from '../../device/image/ota-header.js';
import { isOtaError } from '../../device/errors.js';
import { parseCertificate } from '../../device/pki/x509.js';
import { readU16, readU32, toHex, utf8Decode } from '../../device/util/bytes.js';
import { nameToString } from '../pki/describe.js';

const TAG_NAMES: Record<number, string> = {
  0x0000: 'upgrade image (payload)',
  0x0001: 'ECDSA signature (suite 1)',
  0x0002: 'ECDSA signing certificate (suite 1)',
  0x0003: 'image integrity code',
  0x0004: 'picture data',
  0x0005: 'ECDSA signature (suite 2)',
  0x0006: 'ECDSA signing certificate (suite 2)',
  [Tag.manifest]: 'althan-ota manifest',
  [Tag.manufacturerSignature]: 'manufacturer signature',
  [Tag.certificateChain]: 'manufacturer certificate chain',
};

export interface ElementInfo {
  tag: string;
  name: string;
  offset: number;
  length: number;
  sha256?: string;
}

export interface Inspection {
  fileSize: number;
  header?: Record<string, unknown>;
  elements: ElementInfo[];
  manifest?: Record<string, unknown>;
  manufacturerSignature?: string;
  chain?: { subject: string; issuer: string; bytes: number }[];
  trailer?: { marker: string; supplierSignature: string };
  manufacturerImage?: { offset: number; length: number; sha256: string };
  notes: string[];
}

const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;

function describeError(e: unknown): string {
  return isOtaError(e) ? `${e.code}: ${e.message.replace(/^[A-Z_]+: /, '')}` : String(e);
}

export function inspectImage(file: Uint8Array): Inspection {
  const out: Inspection = { fileSize: file.length, elements: [], notes: [] };
  let h;
  try {
    h = parseOtaHeader(file);
  } catch (e) {
    out.notes.push(`header: ${describeError(e)}`);
    return out;
  }
  out.header = {
    headerLength: h.headerLength,
    fieldControl: hex(h.fieldControl, 4),
    manufacturerCode: hex(h.manufacturerCode, 4),
    imageType: hex(h.imageType, 4),
    fileVersion: hex(h.fileVersion, 8),
    stackVersion: h.stackVersion,
    headerString: (utf8Decode(h.headerString) ?? toHex(h.headerString)).replace(/\0+$/, ''),
    totalImageSize: h.totalImageSize,
    ...(h.securityCredentialVersion !== undefined ? { securityCredentialVersion: h.securityCredentialVersion } : {}),
    ...(h.upgradeFileDestination ? { upgradeFileDestination: toHex(h.upgradeFileDestination) } : {}),
    ...(h.minHardwareVersion !== undefined ? { minHardwareVersion: h.minHardwareVersion, maxHardwareVersion: h.maxHardwareVersion } : {}),
  };
  if (h.totalImageSize !== file.length) out.notes.push(`total image size ${h.totalImageSize} differs from the file's ${file.length} bytes`);
  const end = Math.min(file.length, h.totalImageSize);
  let o = h.headerLength;
  let payloadEnd = -1;
  while (o + ELEMENT_HEAD_LENGTH <= end) {
    const tag = readU16(file, o);
    const length = readU32(file, o + 2);
    const dataStart = o + ELEMENT_HEAD_LENGTH;
    // The GBCS trailer: `00 40` exactly 66 bytes before the end, after the payload.
    if (payloadEnd === o && end - o === TRAILER_LENGTH && file[o] === 0x00 && file[o + 1] === 0x40) break;
    const info: ElementInfo = { tag: hex(tag, 4), name: TAG_NAMES[tag] ?? (tag >= 0xf000 ? 'manufacturer specific' : 'reserved'), offset: o, length };
    out.elements.push(info);
    if (length > end - dataStart) {
      out.notes.push(`element ${info.tag} at ${o} claims ${length} bytes, only ${end - dataStart} remain`);
      o = end;
      break;
    }
    const data = file.subarray(dataStart, dataStart + length);
    info.sha256 = toHex(sha256(data));
    if (tag === Tag.manifest) inspectManifest(data, out);
    else if (tag === Tag.manufacturerSignature) out.manufacturerSignature = toHex(data);
    else if (tag === Tag.certificateChain) inspectChain(data, out);
    else if (tag === Tag.payload) payloadEnd = dataStart + length;
    o = dataStart + length;
  }
  if (end - o === TRAILER_LENGTH && payloadEnd === o) {
    out.trailer = { marker: toHex(file.subarray(o, o + 2)), supplierSignature: toHex(file.subarray(o + 2, end)) };
  } else if (o !== end) out.notes.push(`${end - o} bytes after the last element are neither an element nor a GBCS trailer`);
  const miEnd = out.trailer ? end - TRAILER_LENGTH : o;
  out.manufacturerImage = { offset: h.headerLength, length: miEnd - h.headerLength, sha256: toHex(sha256(file.subarray(h.headerLength, miEnd))) };
  if (out.elements[0]?.tag !== hex(Tag.manifest, 4)) out.notes.push('no althan-ota manifest first: an unsigned image (IMG_UNSIGNED)');
  return out;
}

function inspectManifest(data: Uint8Array, out: Inspection): void {
  try {
    const m = decodeManifest(data);
    out.manifest = {
      formatVersion: m.formatVersion,
      manufacturerCode: hex(m.manufacturerCode, 4),
      imageType: hex(m.imageType, 4),
      fileVersion: hex(m.fileVersion, 8),
      hardwareVersions: `${m.minHardwareVersion}..${m.maxHardwareVersion}`,
      payloadLength: m.payloadLength,
      payloadSha256: toHex(m.payloadSha256),
      ...(m.description !== undefined ? { description: m.description } : {}),
    };
  } catch (e) {
    out.notes.push(`manifest: ${describeError(e)}`);
  }
}

function inspectChain(data: Uint8Array, out: Inspection): void {
  try {
    out.chain = decodeChain(data).map((der) => {
      try {
        const c = parseCertificate(der);
        return { subject: nameToString(c.subject), issuer: nameToString(c.issuer), bytes: der.length };
      } catch (e) {
        return { subject: `(unparsable: ${describeError(e)})`, issuer: '', bytes: der.length };
      }
    });
  } catch (e) {
    out.notes.push(`chain: ${describeError(e)}`);
  }
}

/** The inspection as lines for people. */
export function formatInspection(i: Inspection): string {
  const lines: string[] = [`file: ${i.fileSize} bytes`];
  if (i.header) {
    lines.push('OTA header (not signed):');
    for (const [k, v] of Object.entries(i.header)) lines.push(`  ${k.padEnd(26)} ${String(v)}`);
  }
  if (!i.header) {
    for (const n of i.notes) lines.push(`note: ${n}`);
    return lines.join('\n');
  }
  lines.push('sub-elements:');
  for (const e of i.elements) lines.push(`  ${e.tag} ${e.name.padEnd(32)} offset ${String(e.offset).padStart(7)}  length ${String(e.length).padStart(7)}${e.sha256 ? `  sha256 ${e.sha256}` : ''}`);
  if (i.manifest) {
    lines.push('manifest (signed):');
    for (const [k, v] of Object.entries(i.manifest)) lines.push(`  ${k.padEnd(26)} ${String(v)}`);
  }
  if (i.manufacturerSignature) lines.push(`manufacturer signature: ${i.manufacturerSignature}`);
  if (i.chain) {
    lines.push('manufacturer chain (leaf first):');
    for (const c of i.chain) lines.push(`  ${c.subject}  <- ${c.issuer}  (${c.bytes} bytes)`);
  }
  if (i.manufacturerImage) lines.push(`Manufacturer Image: offset ${i.manufacturerImage.offset}, ${i.manufacturerImage.length} bytes, SHA-256 ${i.manufacturerImage.sha256}`);
  lines.push(i.trailer ? `GBCS trailer: ${i.trailer.marker} + supplier signature ${i.trailer.supplierSignature}` : 'GBCS trailer: none');
  for (const n of i.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
