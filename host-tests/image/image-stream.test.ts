/** The streaming parser alone: structure, bounds, chunking, resume, manifest-ready gate. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../device/errors.js';
import { ImageStream } from '../../device/image/image-stream.js';
import { MAX_PREFIX_LENGTH, Tag } from '../../device/image/image-format.js';
import { concatBytes, toHex, writeU16, writeU32 } from '../../device/util/bytes.js';
import { IDS, pattern, structuralElements, structuralFile } from './structural-fixture.js';

const BANK = 4096;

interface Run {
  payload: Uint8Array;
  writes: number[];
  mi: string;
  offsets: number[];
  prefix: string;
}

/** Feeds `file` in chunks of `size`, approving at manifest-ready; collects what the sink got. */
function feed(file: Uint8Array, size: number): Run {
  const got: Uint8Array[] = [];
  const writes: number[] = [];
  let expected = 0;
  const s = new ImageStream({
    sha256: nobleSha256,
    bankSize: BANK,
    sink: {
      write(offset, bytes) {
        expect(offset).toBe(expected);
        expected += bytes.length;
        writes.push(offset);
        got.push(bytes.slice());
      },
    },
  });
  const offsets: number[] = [];
  let o = 0;
  while (o < file.length) {
    const chunk = file.subarray(o, Math.min(file.length, o + size));
    let c = 0;
    while (c < chunk.length) {
      const r = s.push(chunk.subarray(c));
      c += r.consumed;
      expect(r.fileOffset).toBe(o + c);
      if (r.event === 'manifest-ready') {
        offsets.push(r.fileOffset);
        s.approve();
      }
    }
    o += chunk.length;
  }
  s.finish();
  return {
    payload: concatBytes(...got),
    writes,
    mi: toHex(s.manufacturerImageHash!),
    offsets,
    prefix: toHex(s.prefix()),
  };
}

function refusal(file: Uint8Array, bank = BANK): string {
  const s = new ImageStream({ sha256: nobleSha256, bankSize: bank });
  try {
    let r = s.push(file);
    if (r.event === 'manifest-ready') {
      s.approve();
      r = s.push(file.subarray(r.consumed));
    }
    s.finish();
    return 'accepted';
  } catch (e) {
    return isOtaError(e) ? e.code : `untyped ${String(e)}`;
  }
}

describe('ImageStream', () => {
  const payload = pattern(700);
  const file = structuralFile(payload);
  const headerLength = 60;

  it('gives the same payload, hashes and prefix for every chunk size from 1 byte up', () => {
    const whole = feed(file, file.length);
    expect(whole.payload).toEqual(payload);
    expect(whole.mi).toBe(toHex(sha256(file.subarray(headerLength, file.length - 66))));
    const prefixLength = file.length - 66 - payload.length;
    expect(whole.offsets).toEqual([prefixLength]);
    expect(whole.prefix).toBe(toHex(file.subarray(0, prefixLength)));
    for (let size = 1; size <= 130; size++) {
      const r = feed(file, size);
      expect(r.payload).toEqual(payload);
      expect(r.mi).toBe(whole.mi);
      expect(r.offsets).toEqual(whole.offsets);
      expect(r.prefix).toBe(whole.prefix);
    }
    for (const size of [251, 512, 777, 1000, file.length - 1]) expect(feed(file, size).mi).toBe(whole.mi);
  });

  it('resumes: the stored prefix and stored payload are re-fed, then the rest arrives', () => {
    const prefixLength = file.length - 66 - payload.length;
    const unapproved = new ImageStream({ sha256: nobleSha256, bankSize: BANK });
    expect(unapproved.push(file.subarray(0, prefixLength)).event).toBe('manifest-ready');
    expect(() => unapproved.push(payload.subarray(0, 1), { stored: true })).toThrow(/IMG_NOT_APPROVED/);
    const whole = feed(file, 1000).mi;
    for (const cut of [0, 1, 63, 350, 699, 700]) {
      const written: number[] = [];
      const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK, sink: { write: (o) => written.push(o) } });
      const r = s.push(file.subarray(0, prefixLength));
      expect(r.event).toBe('manifest-ready');
      s.approve();
      for (let o = 0; o < cut; o += 64) s.push(payload.subarray(o, Math.min(cut, o + 64)), { stored: true });
      expect(s.fileOffset).toBe(prefixLength + cut);
      expect(written).toEqual([]);
      const rest = s.push(file.subarray(prefixLength + cut));
      expect(rest.event).toBe('complete');
      expect(written[0] ?? cut).toBe(cut);
      expect(toHex(s.manufacturerImageHash!)).toBe(whole);
    }
  });

  it('refuses payload bytes before approval, and keeps refusing after a refusal', () => {
    const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK });
    const r = s.push(file);
    expect(r.event).toBe('manifest-ready');
    expect(r.consumed).toBeLessThan(file.length);
    expect(() => s.push(file.subarray(r.consumed))).toThrow(/IMG_NOT_APPROVED/);
    expect(() => s.approve()).toThrow(/IMG_NOT_APPROVED/);
    expect(() => s.push(new Uint8Array(1))).toThrow(/IMG_NOT_APPROVED/);
  });

  it('accepts an image without a trailer structurally (policy is the session’s), and 0 or 66 bytes only after the payload', () => {
    expect(refusal(structuralFile(payload, false))).toBe('accepted');
    const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK });
    const r = s.push(structuralFile(payload, false));
    expect(s.hasTrailer).toBe(false);
    expect(r.event).toBe('manifest-ready');
  });

  it('refuses structural faults with stable codes', () => {
    const mutate = (f: (b: Uint8Array) => void, base = file) => {
      const b = base.slice();
      f(b);
      return refusal(b);
    };
    expect(mutate((b) => (b[0] ^= 1))).toBe('IMG_BAD_MAGIC');
    expect(mutate((b) => (b[5] = 2))).toBe('IMG_HEADER_VERSION');
    expect(mutate((b) => writeU16(b, 6, 59))).toBe('IMG_HEADER_LENGTH');
    expect(mutate((b) => writeU16(b, 6, 200))).toBe('IMG_HEADER_LENGTH');
    expect(mutate((b) => writeU16(b, 8, 0x0008 | 0x0004))).toBe('IMG_FIELD_CONTROL');
    expect(mutate((b) => writeU32(b, 52, 100))).toBe('IMG_TOTAL_SIZE');
    expect(mutate((b) => writeU32(b, 52, 0xffffffff))).toBe('IMG_TOO_LARGE');
    expect(mutate((b) => writeU32(b, 52, file.length - 1))).not.toBe('accepted');
    expect(refusal(concatBytes(file, new Uint8Array(1)))).toBe('IMG_TRAILING_BYTES');
    expect(refusal(file.subarray(0, file.length - 1))).toBe('IMG_TRUNCATED');
    expect(refusal(file, payload.length - 1)).toBe('IMG_TOO_LARGE');
    expect(mutate((b) => (b[file.length - 66] = 1))).toBe('IMG_TRAILER');
    expect(mutate((b) => (b[file.length - 100] ^= 1))).toBe('IMG_PAYLOAD_DIGEST');
    // Tags: a vendor tag first = unsigned; a Zigbee tag, a repeat or a swap later = unexpected.
    expect(mutate((b) => writeU16(b, headerLength, 0x0000))).toBe('IMG_UNSIGNED');
    const els = structuralElements(payload);
    for (const [i, tag] of [
      [1, 0x0001],
      [1, 0x0006],
      [1, Tag.manifest],
      [2, Tag.manufacturerSignature],
      [3, 0xf103],
    ] as const) {
      const bad = els.map((e, k) => (k === i ? { ...e, tag } : e));
      expect(refusal(structuralFile(payload, true, bad))).toBe('IMG_TAG_UNEXPECTED');
    }
    const swapped = [els[0], els[2], els[1], els[3]];
    expect(refusal(structuralFile(payload, true, swapped))).toBe('IMG_TAG_UNEXPECTED');
    const extra = [...els, { tag: 0x0003, data: new Uint8Array(10) }];
    expect(refusal(structuralFile(payload, true, extra))).toBe('IMG_LAYOUT');
    const shortSig = els.map((e, k) => (k === 1 ? { ...e, data: e.data.subarray(0, 63) } : e));
    expect(refusal(structuralFile(payload, true, shortSig))).toBe('IMG_ELEMENT_LENGTH');
    const bigChain = els.map((e, k) => (k === 2 ? { ...e, data: new Uint8Array(MAX_PREFIX_LENGTH) } : e));
    expect(refusal(structuralFile(payload, true, bigChain), 1 << 20)).toBe('IMG_ELEMENT_LENGTH');
    const lying = els.map((e, k) => (k === 3 ? { ...e, data: e.data.subarray(1) } : e));
    expect(refusal(structuralFile(payload, true, lying))).toBe('IMG_PAYLOAD_LENGTH');
    // An element length larger than what is left of the file.
    expect(mutate((b) => writeU32(b, headerLength + 2, 0x7fffffff))).toBe('IMG_ELEMENT_LENGTH');
  });

  it('keeps RAM bounded: the prefix never exceeds MAX_PREFIX_LENGTH whatever the payload size', () => {
    const big = pattern(BANK);
    const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK });
    const f = structuralFile(big);
    const r = s.push(f);
    s.approve();
    s.push(f.subarray(r.consumed));
    expect(s.prefix().length).toBe(r.consumed);
    expect(s.prefix().length).toBeLessThan(MAX_PREFIX_LENGTH);
    expect(IDS.fileVersion).toBe(s.manifest!.fileVersion);
  });

  it("hands the payload to the sink as views of the caller's chunk: never a copy of it", () => {
    const views: Uint8Array[] = [];
    const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK, sink: { write: (_o, b) => views.push(b) } });
    const r = s.push(file);
    s.approve();
    s.push(file.subarray(r.consumed));
    expect(views.length).toBe(1);
    expect(views[0].buffer).toBe(file.buffer);
    expect(views[0].byteOffset).toBe(r.consumed);
    expect(views[0].length).toBe(payload.length);
  });

  it('ends with IMG_STEP_LIMIT instead of spinning when its state stops making progress', () => {
    const s = new ImageStream({ sha256: nobleSha256, bankSize: BANK });
    s.push(file.subarray(0, 20));
    // White-box: a defect that left the collecting target behind the offset would make
    // every step take 0 bytes. The bound turns that into a typed refusal.
    (s as unknown as { want: number }).want = s.fileOffset;
    (s as unknown as { advance: () => string }).advance = () => 'header';
    expect(() => s.push(file.subarray(20, 40))).toThrow(/IMG_STEP_LIMIT/);
    expect(() => s.push(file.subarray(40))).toThrow(/IMG_STEP_LIMIT/);
  });
});
