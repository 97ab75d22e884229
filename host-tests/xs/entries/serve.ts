/**
 * XS side of the XS lane: installs globalThis.handleCommand so the Node test can call
 * named cases with JSON arguments. Runs inside XS: no Node API, no TextEncoder.
 */
import { utf8Decode, utf8Encode } from '../../../device/util/bytes.js';

export type XsCase = (args: any) => unknown;

export interface XsCaseResult {
  ok: boolean;
  value?: unknown;
  error?: string;
}

export function serve(cases: Record<string, XsCase>): void {
  (globalThis as any).handleCommand = (request: ArrayBuffer): ArrayBuffer => {
    let result: XsCaseResult;
    try {
      const text = utf8Decode(new Uint8Array(request));
      if (text === undefined) throw new Error('request is not UTF-8');
      const { name, args } = JSON.parse(text) as { name: string; args: unknown };
      const fn = cases[name];
      if (!fn) throw new Error(`no XS case named ${name}`);
      result = { ok: true, value: fn(args) };
    } catch (e) {
      const err = e as { name?: string; message?: string; code?: string };
      result = {
        ok: false,
        error: `${err.name ?? 'Error'}${err.code ? ` ${err.code}` : ''}: ${err.message ?? String(e)}`,
      };
    }
    // Collect garbage before the meter is read, so `currentHeapCount` is what the case
    // still holds, not what it left behind (xsnap provides gc(); a device does not need to).
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === 'function') gc();
    const bytes = utf8Encode(JSON.stringify(result));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
}
