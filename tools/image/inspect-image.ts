/**
 * What `althan-ota inspect` shows: the header, every sub-element, the manifest, the
 * chain's subjects, sizes and hashes. Reads whatever it can, unsigned vendor files
 * included, with the device's decoders; problems are reported as notes, not thrown.
 * A vendor prefix before the OTA magic is skipped and reported; the GBCS trailer is
 * found at T − 66 whatever the Manufacturer Image holds (docs/FORMAT.md); 0xF100–0xF102
 * get althan-ota's names only when the file is althan-ota's layout.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  decodeChain,
  ELEMENT_HEAD_LENGTH,
  Tag,
  TRAILER_LENGTH,
  TRAILER_MARKER,
  decodeManifest,
  parseOtaHeader,
} from '../../device/image/index.js';
import { isOtaError } from '../../device/errors.js';
import { parseCertificate } from '../../device/pki/index.js';
import { readU16, readU32, toHex, utf8Decode } from '../../device/util/index.js';
import { nameToString } from '../pki/describe.js';

/** Names every Zigbee OTA file shares (REFERENCE.md §2). */
const ZIGBEE_TAG_NAMES: Record<number, string> = {
  0: 'upgrade image',
  1: 'ECDSA signature (suite 1)',
  2: 'ECDSA signing certificate (suite 1)',
  3: 'image integrity code',
  4: 'picture data',
  5: 'ECDSA signature (suite 2)',
  6: 'ECDSA signing certificate (suite 2)',
};

/** What 0xF100–0xF102 mean in althan-ota's layout only; in another vendor's file they are that vendor's. */
const ALTHAN_TAG_NAMES: Record<number, string> = {
  [Tag.manifest]: 'althan-ota manifest',
  [Tag.manufacturerSignature]: 'manufacturer signature',
  [Tag.certificateChain]: 'manufacturer certificate chain',
  [Tag.payload]: 'upgrade image (payload)',
};

/** Zigbee OTA file identifier as it appears in a file (little-endian 0x0BEEF11E). */
const OTA_MAGIC = [0x1e, 0xf1, 0xee, 0x0b];

export interface ElementInfo {
  tag: string;
  name: string;
  offset: number;
  length: number;
  sha256?: string;
}

export interface Inspection {
  fileSize: number;
  /** Bytes before the OTA magic (IKEA's and some Legrand files carry such a prefix); offsets below count from the magic. */
  vendorPrefix?: { length: number; sha256: string };
  header?: Record<string, unknown>;
  /** 'althan-ota' (signed manifest first), 'zigbee' (a plain sub-element walk), or 'manufacturer-defined' (opaque Manufacturer Image). */
  layout?: 'althan-ota' | 'zigbee' | 'manufacturer-defined';
  elements: ElementInfo[];
  manifest?: Record<string, unknown>;
  manufacturerSignature?: string;
  chain?: { subject: string; issuer: string; bytes: number }[];
  /** The GBCS trailer at T − 66: `00 40` + the supplier signature. */
  trailer?: { offset: number; marker: string; supplierSignature: string };
  /** What the supplier signs and the CS06 activation command names (SHA-256). */
  manufacturerImage?: { offset: number; length: number; sha256: string };
  notes: string[];
}

const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, '0')}`;

function describeError(e: unknown): string {
  return isOtaError(e) ? `${e.code}: ${e.message.replace(/^[A-Z_]+: /, '')}` : String(e);
}

/** Offset of the first OTA magic, as zigbee-herdsman finds it in vendor files with a prefix; -1 when absent. */
export function findOtaMagic(file: Uint8Array): number {
  for (let i = 0; i + OTA_MAGIC.length <= file.length; i++) {
    if (
      file[i] === OTA_MAGIC[0] &&
      file[i + 1] === OTA_MAGIC[1] &&
      file[i + 2] === OTA_MAGIC[2] &&
      file[i + 3] === OTA_MAGIC[3]
    )
      return i;
  }
  return -1;
}

function isAlthanLayout(ota: Uint8Array, headerLength: number, end: number): boolean {
  if (headerLength + ELEMENT_HEAD_LENGTH > end || readU16(ota, headerLength) !== Tag.manifest) return false;
  const length = readU32(ota, headerLength + 2);
  if (length > end - headerLength - ELEMENT_HEAD_LENGTH) return false;
  try {
    decodeManifest(ota.subarray(headerLength + ELEMENT_HEAD_LENGTH, headerLength + ELEMENT_HEAD_LENGTH + length));
    return true;
  } catch {
    return false;
  }
}

function hasMarkerAt(ota: Uint8Array, at: number): boolean {
  return at >= 0 && ota[at] === TRAILER_MARKER[0] && ota[at + 1] === TRAILER_MARKER[1];
}

export function inspectImage(file: Uint8Array): Inspection {
  const out: Inspection = { fileSize: file.length, elements: [], notes: [] };
  const start = Math.max(0, findOtaMagic(file));
  if (start > 0) {
    out.vendorPrefix = { length: start, sha256: toHex(sha256(file.subarray(0, start))) };
    out.notes.push(
      `the OTA magic starts after a ${start}-byte vendor prefix: offsets below count from the magic (an OTA server skips the prefix too)`,
    );
  }
  const ota = file.subarray(start);
  let h;
  try {
    h = parseOtaHeader(ota);
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
    ...(h.minHardwareVersion !== undefined
      ? { minHardwareVersion: h.minHardwareVersion, maxHardwareVersion: h.maxHardwareVersion }
      : {}),
  };
  if (h.totalImageSize !== ota.length)
    out.notes.push(`total image size ${h.totalImageSize} differs from the ${ota.length} bytes from the magic on`);
  const end = Math.min(ota.length, h.totalImageSize);
  const trailerAt = end - TRAILER_LENGTH;
  const althan = isAlthanLayout(ota, h.headerLength, end);
  const names = althan ? { ...ZIGBEE_TAG_NAMES, ...ALTHAN_TAG_NAMES } : ZIGBEE_TAG_NAMES;

  // Walk the sub-elements; a GBCS trailer (`00 40` at T − 66) ends the walk when it is reached exactly.
  let o = h.headerLength;
  let walkBroke = false;
  const elements: ElementInfo[] = [];
  while (o < end) {
    if (o === trailerAt && hasMarkerAt(ota, o) && trailerAt > h.headerLength) break;
    if (o + ELEMENT_HEAD_LENGTH > end) {
      walkBroke = true;
      break;
    }
    const tag = readU16(ota, o);
    const length = readU32(ota, o + 2);
    const dataStart = o + ELEMENT_HEAD_LENGTH;
    if (length > end - dataStart) {
      walkBroke = true;
      out.notes.push(
        `bytes at ${o} read as element ${hex(tag, 4)} claiming ${length} bytes, but only ${end - dataStart} remain`,
      );
      break;
    }
    const info: ElementInfo = {
      tag: hex(tag, 4),
      name: names[tag] ?? (tag >= 0xf000 ? 'manufacturer specific' : 'reserved'),
      offset: o,
      length,
    };
    const data = ota.subarray(dataStart, dataStart + length);
    info.sha256 = toHex(sha256(data));
    elements.push(info);
    if (althan && tag === Tag.manifest) inspectManifest(data, out);
    else if (althan && tag === Tag.manufacturerSignature) out.manufacturerSignature = toHex(data);
    else if (althan && tag === Tag.certificateChain) inspectChain(data, out);
    o = dataStart + length;
  }

  let miEnd: number;
  if (!walkBroke && o === trailerAt && o < end) {
    out.layout = althan ? 'althan-ota' : 'zigbee';
    out.elements = elements;
    miEnd = trailerAt;
    out.trailer = trailerOf(ota, trailerAt, end);
  } else if (!walkBroke && o === end) {
    out.layout = althan ? 'althan-ota' : 'zigbee';
    out.elements = elements;
    miEnd = end;
    if (hasMarkerAt(ota, trailerAt))
      out.notes.push(
        'the sub-elements end at total size, yet the bytes at T-66 read 00 40: a GBCS reader would take them as a trailer',
      );
  } else if (hasMarkerAt(ota, trailerAt) && trailerAt > h.headerLength) {
    // GBCS fixes the trailer's place, not the Manufacturer Image's content: it is the manufacturer's.
    out.layout = 'manufacturer-defined';
    out.notes.push(
      'the Manufacturer Image is not a sequence of Zigbee sub-elements (manufacturer-defined); the GBCS trailer is found by its position, T-66',
    );
    miEnd = trailerAt;
    out.trailer = trailerOf(ota, trailerAt, end);
  } else {
    out.layout = 'manufacturer-defined';
    out.elements = elements;
    miEnd = end;
    out.notes.push('neither a walk of sub-elements to total size nor a GBCS trailer at T-66');
  }
  out.manufacturerImage = {
    offset: h.headerLength,
    length: miEnd - h.headerLength,
    sha256: toHex(sha256(ota.subarray(h.headerLength, miEnd))),
  };
  if (!althan) {
    out.notes.push(
      `not althan-ota's layout (no signed manifest first): \`verify\` refuses it as IMG_UNSIGNED${out.trailer ? '; `gbcs verify` checks its supplier signature alone' : ''}`,
    );
  }
  return out;
}

function trailerOf(ota: Uint8Array, at: number, end: number): NonNullable<Inspection['trailer']> {
  return { offset: at, marker: toHex(ota.subarray(at, at + 2)), supplierSignature: toHex(ota.subarray(at + 2, end)) };
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
  if (i.vendorPrefix)
    lines.push(`vendor prefix: ${i.vendorPrefix.length} bytes before the OTA magic, sha256 ${i.vendorPrefix.sha256}`);
  if (i.header) {
    lines.push('OTA header (not signed):');
    for (const [k, v] of Object.entries(i.header)) lines.push(`  ${k.padEnd(26)} ${String(v)}`);
  }
  if (!i.header) {
    for (const n of i.notes) lines.push(`note: ${n}`);
    return lines.join('\n');
  }
  if (i.layout) lines.push(`layout: ${i.layout}`);
  lines.push(
    i.layout === 'manufacturer-defined' && i.elements.length === 0
      ? 'sub-elements: (manufacturer-defined Manufacturer Image)'
      : 'sub-elements:',
  );
  for (const e of i.elements)
    lines.push(
      `  ${e.tag} ${e.name.padEnd(32)} offset ${String(e.offset).padStart(7)}  length ${String(e.length).padStart(7)}${e.sha256 ? `  sha256 ${e.sha256}` : ''}`,
    );
  if (i.manifest) {
    lines.push('manifest (signed):');
    for (const [k, v] of Object.entries(i.manifest)) lines.push(`  ${k.padEnd(26)} ${String(v)}`);
  }
  if (i.manufacturerSignature) lines.push(`manufacturer signature: ${i.manufacturerSignature}`);
  if (i.chain) {
    lines.push('manufacturer chain (leaf first):');
    for (const c of i.chain) lines.push(`  ${c.subject}  <- ${c.issuer}  (${c.bytes} bytes)`);
  }
  if (i.manufacturerImage)
    lines.push(
      `Manufacturer Image: offset ${i.manufacturerImage.offset}, ${i.manufacturerImage.length} bytes, SHA-256 ${i.manufacturerImage.sha256}${i.trailer ? ' (the Manufacturer Image Hash a CS06 activation names)' : ''}`,
    );
  lines.push(
    i.trailer
      ? `GBCS trailer at ${i.trailer.offset} (T-66): ${i.trailer.marker} + supplier signature ${i.trailer.supplierSignature}`
      : 'GBCS trailer: none',
  );
  for (const n of i.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
