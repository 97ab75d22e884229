/*
 * lin/exit: ends the process with a code. lin has no System.restart; the supervisor
 * (tools/lin-supervisor) sees the code, runs the bootloader again and relaunches.
 * _exit, not exit: nothing of the process runs after a restart or a simulated power cut.
 */
#include "xsmc.h"
#include <stdio.h>
#include <unistd.h>

void xs_lin_exit(xsMachine *the)
{
	int code = xsmcToInteger(xsArg(0));
	fflush(NULL);
	_exit(code);
}
