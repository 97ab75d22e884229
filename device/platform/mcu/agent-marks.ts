/**
 * What the MCU update run measures inside the agent without touching it: the ports are
 * wrapped so that the moments the phase table needs are marked with the exact instruction
 * count (mcu/native, -icount), the GCs and the RAM readings. Each mark is sent as an `mcu`
 * event on the link; tools/mcu/e2e-phases.ts turns marks into phases.
 *
 * Marks (besides the agent's own phases, which the entry marks too): `first-erase`, the
 * first erase once the download has started (the header, manifest, signature and chain
 * were verified before it: the agent authenticates before erasing); `end-in`/`end-out`,
 * the handling of the frame in which the supplier signature was checked (the last block:
 * payload digest, supplier signature, bank read-back). Frames are not marked one by one
 * (thousands). `cs06` is the activation command's arrival.
 */
import { instructions, memory, resetPeaks } from 'mcu/native';
import type { Activation, Flash, OtaTransport, P256Verifier } from '../../ports.js';

export type MarkSink = (mark: string, fields: Record<string, number | string>) => void;

/** The readings of one mark: instructions, GCs and RAM; the peaks restart from here. */
export function readings(): Record<string, number> {
  const m = memory();
  const r = {
    instructions: instructions(),
    gc: m.gc,
    slotHeap: m.slotHeap,
    chunkHeap: m.chunkHeap,
    slotPeak: m.slotPeak,
    chunkPeak: m.chunkPeak,
    stackPeak: m.stackPeak,
    mallocHighWater: m.mallocHighWater,
    ramTouched: m.heapTouched + m.cStackTouched + m.staticRam,
  };
  resetPeaks();
  return r;
}

export class AgentMarks {
  private downloading = false;
  private erased = false;
  private endSeen = false;
  private endSent = false;
  private frameIn = 0;

  constructor(private readonly send: MarkSink) {}

  /** The agent said `download`: from here the first erase is the bank's. */
  downloadStarted(): void {
    this.downloading = true;
  }

  mark(name: string, extra: Record<string, number | string> = {}): void {
    this.send(name, { ...readings(), ...extra });
  }

  flash(f: Flash): Flash {
    return {
      get size() {
        return f.size;
      },
      sectorSize: f.sectorSize,
      writeAlign: f.writeAlign,
      erasedValue: f.erasedValue,
      read: (offset, into) => f.read(offset, into),
      program: (offset, data) => f.program(offset, data),
      erase: (sector) => {
        f.erase(sector);
        if (this.downloading && !this.erased) {
          this.erased = true;
          this.mark('first-erase');
        }
      },
    };
  }

  p256(p: P256Verifier): P256Verifier {
    return {
      verify: (digest, signature, key, format) => {
        if (this.erased) this.endSeen = true;
        return p.verify(digest, signature, key, format);
      },
    };
  }

  transport(t: OtaTransport): OtaTransport {
    return {
      send: (frame) => t.send(frame),
      onReceive: (handler) =>
        t.onReceive((frame) => {
          this.frameIn = instructions();
          try {
            handler(frame);
          } finally {
            this.afterFrame();
          }
        }),
    };
  }

  activation(a: Activation): Activation {
    return {
      onCommand: (handler) =>
        a.onCommand((command) => {
          this.mark('cs06');
          return handler(command);
        }),
    };
  }

  private afterFrame(): void {
    if (this.endSeen && !this.endSent) {
      this.endSent = true;
      this.send('end-in', { instructions: this.frameIn });
      this.mark('end-out');
    }
  }
}
