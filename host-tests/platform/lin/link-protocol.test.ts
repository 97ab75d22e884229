/** The lin link's framing (device/platform/lin/link-protocol.ts): hello round trip, reassembly across chunks, a broken stream. */
import { describe, expect, it } from 'vitest';
import {
  LinMessage,
  MAX_MESSAGE,
  MessageReader,
  decodeHello,
  encodeHello,
  frame,
} from '../../../device/platform/lin/link-protocol.js';

describe('lin link protocol', () => {
  it('round-trips a hello, with and without a cut', () => {
    const a = { bank: 1 as const, trial: true, cutAt: 1234, torn: true, seed: 0xdeadbeef, flashFile: 'flash-3.bin' };
    expect(decodeHello(encodeHello(a))).toEqual(a);
    const b = { bank: 0 as const, trial: false, cutAt: undefined, torn: false, seed: 0, flashFile: 'f' };
    expect(decodeHello(encodeHello(b))).toEqual(b);
    expect(decodeHello(new Uint8Array(5))).toBeUndefined();
    const bad = encodeHello(b);
    bad[0] = 2;
    expect(decodeHello(bad)).toBeUndefined();
  });

  it('reassembles messages split and merged at any byte', () => {
    const msgs = [
      frame(LinMessage.zclUp, new Uint8Array([1, 2, 3])),
      frame(LinMessage.report, new Uint8Array(300).fill(7)),
      frame(LinMessage.activateResponse, new Uint8Array([0])),
    ];
    const stream = new Uint8Array(msgs.reduce((n, m) => n + m.length, 0));
    let o = 0;
    for (const m of msgs) {
      stream.set(m, o);
      o += m.length;
    }
    for (const step of [1, 2, 7, 64, stream.length]) {
      const got: [number, number][] = [];
      const reader = new MessageReader(
        (t, body) => got.push([t, body.length]),
        () => {
          throw new Error('broken');
        },
      );
      for (let i = 0; i < stream.length; i += step) reader.push(stream.subarray(i, i + step));
      expect(got).toEqual([
        [LinMessage.zclUp, 3],
        [LinMessage.report, 300],
        [LinMessage.activateResponse, 1],
      ]);
    }
  });

  it('calls a zero or oversized length a broken stream, once, and ignores what follows', () => {
    const why: string[] = [];
    const got: number[] = [];
    const reader = new MessageReader(
      (t) => got.push(t),
      (w) => why.push(w),
    );
    const huge = new Uint8Array(4);
    new DataView(huge.buffer).setUint32(0, MAX_MESSAGE + 1, true);
    reader.push(huge);
    reader.push(frame(LinMessage.zclUp, new Uint8Array([1])));
    expect(why).toHaveLength(1);
    expect(got).toEqual([]);
  });
});
