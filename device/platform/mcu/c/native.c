/*
 * The `mcu/native` module: the platform's readings for JS (instruction count, XS heap and
 * stack, malloc and RAM high-water) and the run's exit. Host functions are bound in
 * native/mcu-native.js.
 */
#include "xsAll.h"
#include "xsmc.h"
#include "mcu.h"

extern uint64_t mcu_idle_ticks;
extern uint64_t mcu_machine_ready_instructions;
extern char mcu_command_line[];

/* Instructions executed since the clock started, waits for timers excluded. */
void xs_mcu_instructions(xsMachine *the)
{
  uint64_t busy = mcu_instructions() - mcu_idle_ticks * mcu_instructions_per_tick();
  xsmcSetNumber(xsResult, (double)busy);
}

void xs_mcu_boot_instructions(xsMachine *the)
{
  xsmcSetNumber(xsResult, (double)mcu_machine_ready_instructions);
}

static void setInteger(xsMachine *the, const char *name, double value)
{
  xsmcSetNumber(xsVar(0), value);
  xsmcSet(xsResult, xsID(name), xsVar(0));
}

/* XS's own counters (with mxInstrument) and the platform's RAM readings, in bytes. */
void xs_mcu_memory(xsMachine *the)
{
  txMachine *machine = (txMachine *)the;
  xsmcVars(1);
  xsResult = xsmcNewObject();
  setInteger(the, "slotHeap", (double)machine->maximumHeapCount * sizeof(txSlot));
  setInteger(the, "slotPeak", (double)machine->peakHeapCount * sizeof(txSlot));
  setInteger(the, "chunkHeap", (double)machine->maximumChunksSize);
  setInteger(the, "chunkPeak", (double)machine->peakChunksSize);
  setInteger(the, "stackSize", (double)((char *)machine->stackTop - (char *)machine->stackBottom));
  setInteger(the, "stackNow", (double)((char *)machine->stackTop - (char *)machine->stack)); /* in use at this call */
#ifdef mxInstrument
  setInteger(the, "stackPeak", (double)((char *)machine->stackTop - (char *)machine->stackPeak));
  setInteger(the, "gc", (double)machine->garbageCollectionCount);
#endif
  setInteger(the, "mallocHighWater", (double)mcu_heap_high_water());
  setInteger(the, "heapTouched", (double)mcu_heap_touched());
  setInteger(the, "cStackTouched", (double)mcu_stack_touched());
  setInteger(the, "staticRam", (double)mcu_static_ram());
}

/* Starts new peaks from the current use (per-phase high-water marks). */
void xs_mcu_reset_peaks(xsMachine *the)
{
  txMachine *machine = (txMachine *)the;
  machine->peakHeapCount = machine->currentHeapCount;
  machine->peakChunksSize = machine->currentChunksSize;
#ifdef mxInstrument
  machine->stackPeak = machine->stack;
#endif
}

void xs_mcu_collect(xsMachine *the)
{
  xsCollectGarbage();
}

void xs_mcu_exit(xsMachine *the)
{
  mcu_exit(xsmcToInteger(xsArg(0)));
}

/* The semihosting command line (QEMU -append, after the ELF path): the entry's arguments. */
void xs_mcu_command_line(xsMachine *the)
{
  xsmcSetString(xsResult, mcu_command_line);
}
