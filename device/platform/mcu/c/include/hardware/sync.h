/* Stand-in for pico-sdk's hardware/sync.h: the platform layer needs no spin locks (one core, no RTOS). */
#ifndef MCU_HARDWARE_SYNC_STANDIN_H
#define MCU_HARDWARE_SYNC_STANDIN_H
#endif
