/**
 * Port failures that are not power cuts (ports.ts: every call may throw): wrappers that
 * make a port call throw, without touching what is under it, whenever `fails()` says so.
 * No Node API: runs inside XS too.
 */
import type { Flash, OtaTransport, Power } from '../../device/ports.js';

export function thrown(message: string): never {
  throw new Error(message);
}

/** A flash whose programs fail (a driver error: the chip is not touched). */
export function failingFlash(flash: Flash, fails: () => boolean): Flash {
  return {
    size: flash.size,
    sectorSize: flash.sectorSize,
    writeAlign: flash.writeAlign,
    erasedValue: flash.erasedValue,
    read: (o, into) => flash.read(o, into),
    erase: (sector) => flash.erase(sector),
    program: (o, data) => (fails() ? thrown('flash program failed') : flash.program(o, data)),
  };
}

/** A supply whose readings fail (a gauge that does not answer). */
export function failingPower(power: Power, fails: () => boolean): Power {
  return {
    source: () => (fails() ? thrown('power read failed') : power.source()),
    level: () => (fails() ? thrown('power read failed') : power.level()),
    lowWarning: () => (fails() ? thrown('power read failed') : power.lowWarning()),
  };
}

/** A transport whose sends fail (the stack's queue is full). */
export function failingTransport(transport: OtaTransport, fails: () => boolean): OtaTransport {
  return {
    send: (f) => (fails() ? thrown('send queue full') : transport.send(f)),
    onReceive: (h) => transport.onReceive(h),
  };
}
