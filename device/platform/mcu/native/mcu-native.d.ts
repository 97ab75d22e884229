/** The MCU platform's readings (device/platform/mcu/c/native.c). Byte counts; instruction counts exact under QEMU -icount shift=0. */
declare module 'mcu/native' {
  export interface McuMemory {
    slotHeap: number;
    slotPeak: number;
    chunkHeap: number;
    chunkPeak: number;
    stackSize: number;
    stackPeak: number;
    /** XS stack in use where memory() was called (the caller's frames). */
    stackNow: number;
    gc: number;
    mallocHighWater: number;
    heapTouched: number;
    cStackTouched: number;
    staticRam: number;
  }
  export function instructions(): number;
  export function bootInstructions(): number;
  export function memory(): McuMemory;
  export function resetPeaks(): void;
  export function collect(): void;
  export function exit(code: number): never;
  /** The QEMU command line: the ELF path, the entry, then key=value arguments. */
  export function commandLine(): string;
}
