/*
 * lin/meters: XS's own memory accounting of the running machine, read from the machine
 * itself (xsAll.h). Fills an ArrayBuffer of 8 doubles (a Float64Array's buffer):
 *   0 slots in use, 1 peak slots in use, 2 chunk bytes in use, 3 peak chunk bytes,
 *   4 peak stack bytes (mxInstrument builds: mcconfig -i or -d; else -1),
 *   5 garbage collections (mxInstrument; else -1), 6 bytes per slot, 7 chunk heap ceiling (bytes).
 */
#include "xsAll.h"
#include "xsmc.h"

void xs_lin_meters(xsMachine *the)
{
	txMachine *m = (txMachine *)the;
	void *data;
	xsUnsignedValue length;
	double *out;

	xsmcGetBufferWritable(xsArg(0), &data, &length);
	if (length < 8 * sizeof(double))
		xsUnknownError("meters: need 8 doubles");
	out = (double *)data;
	out[0] = (double)m->currentHeapCount;
	out[1] = (double)m->peakHeapCount;
	out[2] = (double)m->currentChunksSize;
	out[3] = (double)m->peakChunksSize;
#ifdef mxInstrument
	out[4] = (double)((m->stackTop - m->stackPeak) * sizeof(txSlot));
	out[5] = (double)m->garbageCollectionCount;
#else
	out[4] = -1;
	out[5] = -1;
#endif
	out[6] = (double)sizeof(txSlot);
	out[7] = (double)m->maximumChunksSize;
}
