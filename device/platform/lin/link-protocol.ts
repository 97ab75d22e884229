/**
 * The one local TCP link between the lin build and its supervisor (tools/lin-supervisor):
 * the supervisor plays the Communications Hub, the supplier's activation path and the
 * bootloader's messenger. A message is `u32 length (LE) | u8 type | body`, the length
 * counting the type byte and the body. The supervisor's side (Node) imports this file
 * too, so both ends agree by construction. No Node API.
 */
export const LinMessage = {
  /** supervisor → device, first message: u8 running bank, u8 trial, u32 cut-at flash op (0xFFFFFFFF: none), u8 torn, u32 seed, u8 name length, ASCII flash file name. */
  hello: 0x01,
  /** device → supervisor: one ZCL frame of cluster 0x0019 to the CH. */
  zclUp: 0x10,
  /** supervisor → device: one ZCL frame from the CH. */
  zclDown: 0x11,
  /** supervisor → device: a CS06 activation command: 32-byte Manufacturer Image Hash, then an optional u32 activation time. */
  activate: 0x20,
  /** device → supervisor: u8 CS06 response code. */
  activateResponse: 0x21,
  /** device → supervisor: one report (ports.ts Report) as ASCII JSON. */
  report: 0x30,
  /** device → supervisor: an event of the build (phase, build identity, meters) as ASCII JSON. */
  event: 0x40,
} as const;

/** Largest message either end accepts (a ZCL frame is far smaller; a report or event line fits). */
export const MAX_MESSAGE = 4096;

/** Exit codes of the lin build, as the supervisor reads them. */
export const LinExit = {
  /** BootControl.restart(): the agent asked for a reboot. */
  restart: 0,
  /** A broken build that exits at start (the rollback scenario). */
  brokenStart: 3,
  /** The flash fault injector ended the run at its flash operation (a power cut). */
  flashCut: 86,
} as const;

export interface Hello {
  bank: 0 | 1;
  trial: boolean;
  /** Index (from 0, in this run) of the flash operation at which the run ends; undefined: never. */
  cutAt: number | undefined;
  torn: boolean;
  seed: number;
  flashFile: string;
}

export function frame(type: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(5 + body.length);
  const n = body.length + 1;
  m[0] = n & 0xff;
  m[1] = (n >>> 8) & 0xff;
  m[2] = (n >>> 16) & 0xff;
  m[3] = (n >>> 24) & 0xff;
  m[4] = type;
  m.set(body, 5);
  return m;
}

export function encodeHello(h: Hello): Uint8Array {
  const name = ascii(h.flashFile);
  const b = new Uint8Array(12 + name.length);
  b[0] = h.bank;
  b[1] = h.trial ? 1 : 0;
  putU32(b, 2, h.cutAt === undefined ? 0xffffffff : h.cutAt);
  b[6] = h.torn ? 1 : 0;
  putU32(b, 7, h.seed);
  b[11] = name.length;
  b.set(name, 12);
  return b;
}

/** Undefined when the body is malformed. */
export function decodeHello(b: Uint8Array): Hello | undefined {
  if (b.length < 12 || b.length !== 12 + b[11] || b[0] > 1) return undefined;
  const cut = getU32(b, 2);
  let name = '';
  for (let i = 12; i < b.length; i++) name += String.fromCharCode(b[i]);
  return {
    bank: b[0] as 0 | 1,
    trial: b[1] === 1,
    cutAt: cut === 0xffffffff ? undefined : cut,
    torn: b[6] === 1,
    seed: getU32(b, 7),
    flashFile: name,
  };
}

/** JSON text → bytes; non-ASCII characters become '?' (reports and events are ASCII). */
export function ascii(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    b[i] = c < 0x80 ? c : 0x3f;
  }
  return b;
}

export function fromAscii(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  for (let i = 0; i < 4; i++) b[o + i] = (v >>> (8 * i)) & 0xff;
}

function getU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/**
 * Reassembles messages from a byte stream. `push` takes what the socket gave and calls
 * `onMessage(type, body)` for each whole message; a length of 0 or above MAX_MESSAGE is
 * a broken stream: `onBroken` is called once and every later byte ignored.
 */
export class MessageReader {
  private buf = new Uint8Array(MAX_MESSAGE + 4);
  private used = 0;
  private broken = false;

  constructor(
    private readonly onMessage: (type: number, body: Uint8Array) => void,
    private readonly onBroken: (why: string) => void,
  ) {}

  push(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length && !this.broken) {
      const n = Math.min(bytes.length - at, this.buf.length - this.used);
      this.buf.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
      this.drain();
    }
  }

  private drain(): void {
    while (this.used >= 4 && !this.broken) {
      const n = getU32(this.buf, 0);
      if (n === 0 || n > MAX_MESSAGE) {
        this.broken = true;
        this.onBroken(`message length ${n}`);
        return;
      }
      if (this.used < 4 + n) return;
      const type = this.buf[4];
      const body = this.buf.slice(5, 4 + n);
      this.buf.copyWithin(0, 4 + n, this.used);
      this.used -= 4 + n;
      this.onMessage(type, body);
    }
  }
}
