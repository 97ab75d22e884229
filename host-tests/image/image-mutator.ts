/**
 * Structure-aware mutations of a signed image for the fuzz test: header fields, element
 * tags and lengths, the CBOR manifest (bytes and re-encoded values), DER TLVs of the
 * chain, signatures, payload, trailer, truncation, extension and element splicing. Each
 * returns the mutated file and the name of what it did.
 */
import { encodeChain } from '../../device/image/chain-codec.js';
import { Tag } from '../../device/image/image-format.js';
import { decodeCbor, encodeCbor, type CborMap, type CborValue } from '../../device/util/cbor.js';
import { concatBytes, writeU16, writeU32 } from '../../device/util/bytes.js';
import { assembleOtaFile, encodeTrailer, type Element, type HeaderFields } from '../../tools/image/ota-writer.js';
import type { Rng } from '../../sim/rng.js';

export interface ImageParts {
  header: HeaderFields;
  manifest: Uint8Array;
  signature: Uint8Array;
  certs: Uint8Array[];
  payload: Uint8Array;
  supplierSignature: Uint8Array;
  /** A chain and a manifest signature by a key the device does not trust. */
  foreign: { certs: Uint8Array[]; sign: (manifest: Uint8Array) => Uint8Array };
}

export interface Mutation {
  kind: string;
  file: Uint8Array;
}

interface Layout {
  headerLength: number;
  heads: number[]; // offsets of the four element heads
  data: [number, number][]; // [start, end) of each element's data
  trailer: number;
}

export function elementsOf(p: ImageParts, manifest = p.manifest, signature = p.signature, certs = p.certs): Element[] {
  return [
    { tag: Tag.manifest, data: manifest },
    { tag: Tag.manufacturerSignature, data: signature },
    { tag: Tag.certificateChain, data: encodeChain(certs) },
    { tag: Tag.payload, data: p.payload },
  ];
}

/** `trailer` null: no GBCS trailer. */
export function assemble(
  p: ImageParts,
  elements = elementsOf(p),
  header = p.header,
  trailer: Uint8Array | null = encodeTrailer(p.supplierSignature),
): Uint8Array {
  return assembleOtaFile(header, elements, trailer ?? undefined);
}

function layoutOf(p: ImageParts, file: Uint8Array): Layout {
  const headerLength = file[6] | (file[7] << 8);
  const heads: number[] = [];
  const data: [number, number][] = [];
  let o = headerLength;
  for (const e of elementsOf(p)) {
    heads.push(o);
    data.push([o + 6, o + 6 + e.data.length]);
    o += 6 + e.data.length;
  }
  return { headerLength, heads, data, trailer: o };
}

/** Every TLV in a DER encoding: where its tag, length and content are. */
function derTlvs(der: Uint8Array): { tag: number; len: number; content: number; end: number; constructed: boolean }[] {
  const out: { tag: number; len: number; content: number; end: number; constructed: boolean }[] = [];
  const walk = (start: number, end: number, depth: number) => {
    let o = start;
    while (o + 2 <= end && depth < 12) {
      const tag = o;
      let n = der[o + 1];
      let content = o + 2;
      if (n & 0x80) {
        const k = n & 0x7f;
        if (k === 0 || k > 3) return;
        n = 0;
        for (let i = 0; i < k; i++) n = n * 256 + der[o + 2 + i];
        content = o + 2 + k;
      }
      if (content + n > end) return;
      const constructed = (der[tag] & 0x20) !== 0;
      out.push({ tag, len: o + 1, content, end: content + n, constructed });
      if (constructed) walk(content, content + n, depth + 1);
      o = content + n;
    }
  };
  walk(0, der.length, 0);
  return out;
}

const INTERESTING_TAGS = [
  0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0xf000, 0xf100, 0xf101, 0xf102, 0xf103, 0xffff,
];
const INTERESTING_U32 = [0, 1, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff];
/** P-256 group order, big-endian. */
const N = Uint8Array.from(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'));

function flipBit(b: Uint8Array, at: number, rng: Rng): void {
  b[at] ^= 1 << rng.int(0, 8);
}

function setByte(b: Uint8Array, at: number, rng: Rng): void {
  const v = rng.chance(0.5) ? rng.int(0, 256) : [0x00, 0x01, 0x7f, 0x80, 0xff][rng.int(0, 5)];
  b[at] = v === b[at] ? v ^ 0x01 : v;
}

function mutateBytes(b: Uint8Array, start: number, end: number, rng: Rng): void {
  const at = rng.int(start, end);
  if (rng.chance(0.5)) flipBit(b, at, rng);
  else setByte(b, at, rng);
}

export class ImageMutator {
  readonly control: Uint8Array;
  private readonly layout: Layout;
  private readonly manifestMap: CborMap;

  constructor(private readonly p: ImageParts) {
    this.control = assemble(p);
    this.layout = layoutOf(p, this.control);
    this.manifestMap = decodeCbor(p.manifest) as CborMap;
  }

  /** Header bytes the device never uses (stack version, header string): outside any decision by design. */
  inertHeaderRange(): [number, number] {
    return [18, 52];
  }

  mutate(rng: Rng): Mutation {
    const r = rng.int(0, 1000);
    // Weights (per mille): most inputs fail cheaply; the ones that need P-256 verifies are
    // kept to about a quarter (each costs ~1000 parses).
    if (r < 120) return this.headerByte(rng);
    if (r < 190) return this.headerField(rng);
    if (r < 280) return this.elementTag(rng);
    if (r < 380) return this.elementLength(rng);
    if (r < 450) return this.cborByte(rng);
    if (r < 510) return this.cborStructured(rng);
    if (r < 580) return this.signature(rng);
    if (r < 680) return this.der(rng);
    if (r < 720) return this.chainEncoding(rng);
    if (r < 745) return this.payload(rng);
    if (r < 765) return this.trailer(rng);
    if (r < 865) return this.truncateOrExtend(rng);
    if (r < 980) return this.splice(rng);
    return this.foreignSigner(rng);
  }

  private raw(kind: string, f: (b: Uint8Array) => void): Mutation {
    const b = this.control.slice();
    f(b);
    return { kind, file: b };
  }

  private headerByte(rng: Rng): Mutation {
    // Bytes with meaning: identifier, version, lengths, field control, IDs, version, total size, hardware range.
    const meaningful = [...range(0, 18), ...range(52, this.layout.headerLength)];
    return this.raw('header-byte', (b) => {
      const at = meaningful[rng.int(0, meaningful.length)];
      if (rng.chance(0.5)) flipBit(b, at, rng);
      else setByte(b, at, rng);
    });
  }

  private headerField(rng: Rng): Mutation {
    const h = { ...this.p.header };
    const which = rng.int(0, 7);
    const delta = rng.chance(0.5) ? 1 : rng.int(2, 0x10000);
    if (which === 0) h.manufacturerCode = (h.manufacturerCode + delta) & 0xffff;
    else if (which === 1) h.imageType = (h.imageType + delta) & 0xffff;
    else if (which === 2) h.fileVersion = (h.fileVersion + (rng.chance(0.5) ? delta : -delta)) >>> 0;
    else if (which === 3) h.minHardwareVersion = ((h.minHardwareVersion ?? 0) + delta) & 0xffff;
    else if (which === 4) h.maxHardwareVersion = ((h.maxHardwareVersion ?? 0) + delta) & 0xffff;
    else if (which === 5) {
      delete h.minHardwareVersion;
      delete h.maxHardwareVersion;
      h.securityCredentialVersion = rng.int(0, 256);
      // Without the hardware range the header is legal; the manifest alone governs: keep this image distinct.
      h.fileVersion = (h.fileVersion + 1) >>> 0;
    } else {
      const file = assemble(this.p, elementsOf(this.p), h);
      const total = file[52] | (file[53] << 8) | (file[54] << 16) | (file[55] << 24);
      writeU32(file, 52, (total + (rng.chance(0.5) ? 1 : -1) * rng.int(1, 200)) >>> 0);
      return { kind: 'header-total-size', file };
    }
    return { kind: 'header-field', file: assemble(this.p, elementsOf(this.p), h) };
  }

  private elementTag(rng: Rng): Mutation {
    return this.raw('element-tag', (b) => {
      const head = this.layout.heads[rng.int(0, 4)];
      const tag = rng.chance(0.8) ? INTERESTING_TAGS[rng.int(0, INTERESTING_TAGS.length)] : rng.int(0, 0x10000);
      const old = b[head] | (b[head + 1] << 8);
      writeU16(b, head, tag === old ? tag ^ 0x8000 : tag);
    });
  }

  private elementLength(rng: Rng): Mutation {
    return this.raw('element-length', (b) => {
      const i = rng.int(0, 4);
      const head = this.layout.heads[i];
      const [s, e] = this.layout.data[i];
      const len = e - s;
      const choices = [
        len + 1,
        len - 1,
        len + rng.int(2, 100),
        len - rng.int(2, 60),
        ...INTERESTING_U32,
        rng.nextU32(),
      ];
      let v = choices[rng.int(0, choices.length)] >>> 0;
      if (v === len) v = len + 1;
      writeU32(b, head + 2, v);
    });
  }

  private cborByte(rng: Rng): Mutation {
    const [s, e] = this.layout.data[0];
    return this.raw('cbor-byte', (b) => mutateBytes(b, s, e, rng));
  }

  private withManifest(kind: string, manifest: Uint8Array, header: HeaderFields = this.p.header): Mutation {
    return { kind, file: assemble(this.p, elementsOf(this.p, manifest), header) };
  }

  private cborStructured(rng: Rng): Mutation {
    const m = new Map(this.manifestMap) as Map<number, CborValue>;
    const h = { ...this.p.header };
    const op = rng.int(0, 9);
    if (op === 0) {
      // A newer version, header kept consistent: only the signature can refuse it.
      const v = ((m.get(4) as number) + rng.int(1, 1000)) >>> 0;
      m.set(4, v);
      h.fileVersion = v;
      return this.withManifest('cbor-newer-version', encodeCbor(m), h);
    }
    if (op === 1) {
      m.set(6, 0xffff);
      h.maxHardwareVersion = 0xffff;
      return this.withManifest('cbor-wider-hardware', encodeCbor(m), h);
    }
    if (op === 2) {
      const d = (m.get(8) as Uint8Array).slice();
      d[rng.int(0, 32)] ^= 1;
      m.set(8, d);
      return this.withManifest('cbor-digest', encodeCbor(m));
    }
    if (op === 3) {
      m.set(-rng.int(2, 30), rng.chance(0.5) ? 'note' : rng.int(0, 1000));
      return this.withManifest('cbor-informational-key', encodeCbor(m));
    }
    if (op === 4) {
      m.set(rng.int(9, 40), true);
      return this.withManifest('cbor-critical-key', encodeCbor(m));
    }
    if (op === 5) {
      m.delete(rng.int(1, 9));
      return this.withManifest('cbor-missing-key', encodeCbor(m));
    }
    if (op === 6) {
      // Non-shortest head for key 1's value (01 → 18 01).
      const b = this.p.manifest;
      return this.withManifest(
        'cbor-long-head',
        concatBytes(b.subarray(0, 2), Uint8Array.of(0x18, b[2]), b.subarray(3)),
      );
    }
    if (op === 7) {
      const b = this.p.manifest;
      return this.withManifest('cbor-indefinite', concatBytes(Uint8Array.of(0xbf), b.subarray(1), Uint8Array.of(0xff)));
    }
    const b = this.p.manifest;
    // Duplicate key 1 in front, count raised.
    return this.withManifest('cbor-duplicate-key', concatBytes(Uint8Array.of(b[0] + 1, 0x01, 0x01), b.subarray(1)));
  }

  private signature(rng: Rng): Mutation {
    const [s] = this.layout.data[1];
    return this.raw('signature', (b) => {
      const op = rng.int(0, 5);
      if (op === 0) mutateBytes(b, s, s + 64, rng);
      else if (op === 1) {
        const which = rng.int(0, 3); // r = 0, s = 0, or both
        b.fill(0, s + (which === 1 ? 32 : 0), s + (which === 0 ? 32 : 64));
      } else if (op === 2) b.set(N, s + (rng.chance(0.5) ? 0 : 32));
      else if (op === 3) b.fill(0xff, s + 32, s + 64);
      else b.set(rng.bytes(64), s);
    });
  }

  private der(rng: Rng): Mutation {
    const [s] = this.layout.data[2];
    const certAt = s + 3; // count byte, then the first certificate's 2-byte length
    const cert = this.p.certs[0];
    const tlvs = derTlvs(cert);
    return this.raw('der', (b) => {
      const t = tlvs[rng.int(0, tlvs.length)];
      const op = rng.int(0, 4);
      if (op === 0) setByte(b, certAt + t.tag, rng);
      else if (op === 1) setByte(b, certAt + t.len, rng);
      else if (t.end > t.content) mutateBytes(b, certAt + t.content, certAt + t.end, rng);
      else flipBit(b, certAt + t.len, rng);
    });
  }

  private chainEncoding(rng: Rng): Mutation {
    const [s] = this.layout.data[2];
    return this.raw('chain-encoding', (b) => {
      if (rng.chance(0.4)) setByte(b, s, rng);
      else writeU16(b, s + 1, (b[s + 1] | (b[s + 2] << 8)) + (rng.chance(0.5) ? 1 : -1) * rng.int(1, 300));
    });
  }

  private payload(rng: Rng): Mutation {
    const [s, e] = this.layout.data[3];
    return this.raw('payload', (b) => mutateBytes(b, s, e, rng));
  }

  private trailer(rng: Rng): Mutation {
    const t = this.layout.trailer;
    return this.raw('trailer', (b) => {
      if (rng.chance(0.3)) mutateBytes(b, t, t + 2, rng);
      else mutateBytes(b, t + 2, t + 66, rng);
    });
  }

  private truncateOrExtend(rng: Rng): Mutation {
    const c = this.control;
    const op = rng.int(0, 4);
    if (op === 0) return { kind: 'truncate', file: c.slice(0, rng.int(0, c.length)) };
    if (op === 1) return { kind: 'extend', file: concatBytes(c, rng.bytes(rng.int(1, 100))) };
    // Extended or cut, with the header's total size told the same lie.
    const file =
      op === 2 ? concatBytes(c, rng.bytes(rng.int(1, 100))) : c.slice(0, rng.int(this.layout.headerLength, c.length));
    writeU32(file, 52, file.length);
    return { kind: op === 2 ? 'extend-with-size' : 'truncate-with-size', file };
  }

  private splice(rng: Rng): Mutation {
    const els = elementsOf(this.p);
    const op = rng.int(0, 6);
    let out: Element[];
    if (op === 0) {
      const i = rng.int(0, 4);
      out = [...els.slice(0, i + 1), els[i], ...els.slice(i + 1)];
    } else if (op === 1) {
      const i = rng.int(0, 3);
      out = [...els];
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
    } else if (op === 2) {
      const i = rng.int(0, 4);
      out = els.filter((_, k) => k !== i);
    } else if (op === 3) {
      const i = rng.int(0, 5);
      out = [...els.slice(0, i), { tag: rng.int(1, 7), data: rng.bytes(rng.int(0, 40)) }, ...els.slice(i)];
    } else if (op === 4) {
      return { kind: 'splice-no-trailer', file: assemble(this.p, els, this.p.header, null) };
    } else {
      return {
        kind: 'splice-trailer-twice',
        file: assemble(
          this.p,
          els,
          this.p.header,
          concatBytes(encodeTrailer(this.p.supplierSignature), encodeTrailer(this.p.supplierSignature)),
        ),
      };
    }
    return { kind: 'splice', file: assemble(this.p, out) };
  }

  private foreignSigner(rng: Rng): Mutation {
    const m = new Map(this.manifestMap) as Map<number, CborValue>;
    const h = { ...this.p.header };
    const v = ((m.get(4) as number) + rng.int(1, 1000)) >>> 0;
    m.set(4, v);
    h.fileVersion = v;
    const manifest = encodeCbor(m);
    const f = this.p.foreign;
    return {
      kind: 'foreign-signer',
      file: assemble(this.p, elementsOf(this.p, manifest, f.sign(manifest), f.certs), h),
    };
  }
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}
