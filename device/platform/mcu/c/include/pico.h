/*
 * Stand-in for the one pico-sdk header that the SDK's `pico` platform headers
 * (xs/platforms/pico/xsHost.h) include. The MCU platform builds XS and the `pico`
 * archive for other Cortex-M cores, so nothing of the RP2040 is wanted here: only the
 * names those headers use.
 */
#ifndef MCU_PICO_STANDIN_H
#define MCU_PICO_STANDIN_H
#include <stdint.h>
#include <stdbool.h>
#endif
