/* Stand-in for pico-sdk's hardware/watchdog.h (included by the pico xsHost.h in debug builds). */
#ifndef MCU_HARDWARE_WATCHDOG_STANDIN_H
#define MCU_HARDWARE_WATCHDOG_STANDIN_H
#endif
