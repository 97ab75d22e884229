/**
 * How the MCU image reports to the host: one line per figure, `mcu-row ` followed by a
 * JSON object, on the UART (trace). tools/mcu/run.ts reads these lines back into tables.
 */
import { instructions, memory, resetPeaks } from 'mcu/native';

export interface Measured {
  instructions: number;
  gc: number;
}

export function row(table: string, fields: Record<string, string | number | boolean>): void {
  trace(`mcu-row ${JSON.stringify({ table, ...fields })}\n`);
}

/** Runs `work`, returning the instructions it took and the garbage collections it caused. */
export function measure(work: () => void): Measured {
  const gcBefore = memory().gc;
  const before = instructions();
  work();
  const after = instructions();
  return { instructions: after - before, gc: (memory().gc - gcBefore + 0x10000) % 0x10000 };
}

/** Reports the RAM figures reached since the last call (peaks restart from current use). */
export function ramRow(phase: string): void {
  const m = memory();
  row('ram', {
    phase,
    slotHeap: m.slotHeap,
    slotPeak: m.slotPeak,
    chunkHeap: m.chunkHeap,
    chunkPeak: m.chunkPeak,
    xsHeap: m.slotHeap + m.chunkHeap,
    stackPeak: m.stackPeak,
    stackSize: m.stackSize,
    gc: m.gc,
    mallocHighWater: m.mallocHighWater,
    heapTouched: m.heapTouched,
    cStackTouched: m.cStackTouched,
    staticRam: m.staticRam,
  });
  resetPeaks();
}
