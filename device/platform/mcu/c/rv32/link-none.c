/*
 * The `mcu/link-uart` module on the RV32 board: no link to the supervisor. The whole-update
 * run (npm run mcu:e2e) is wired for the Cortex-M33's second CMSDK UART only; here the
 * bindings exist so the shared archive links, and opening the link says why it cannot.
 * main.c's weak mcu_link_poll/mcu_link_open stay in force (nothing to poll).
 */
#include "xsAll.h"
#include "xsmc.h"

void xs_linkuart_open(xsMachine *the)
{
  xsUnknownError("no link to the supervisor on the RV32 board");
}

void xs_linkuart_write(xsMachine *the)
{
  xsUnknownError("no link to the supervisor on the RV32 board");
}

void xs_linkuart_close(xsMachine *the)
{
}
