/*
 * Stand-in for pico-sdk's pico/stdlib.h: the time calls that xs/platforms/pico/xsHost.h
 * turns modMilliseconds() and modDelayMilliseconds() into, answered by this platform's
 * SysTick clock (c/clock.c).
 */
#ifndef MCU_PICO_STDLIB_STANDIN_H
#define MCU_PICO_STDLIB_STANDIN_H
#include <stdint.h>
uint64_t time_us_64(void);
uint32_t time_us_32(void);
void busy_wait_us_32(uint32_t us);
#endif
