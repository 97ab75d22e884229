/*
 * The MCU platform layer's own interface: UART output, the SysTick clock and instruction
 * count, semihosting (exit and host files), and the RAM readings. Each part is one file.
 */
#ifndef MCU_H
#define MCU_H

#include <stdint.h>
#include <stddef.h>

/* Exit codes seen by the host (QEMU's own exit status). */
#define MCU_EXIT_OK 0
#define MCU_EXIT_JS_FAILED 1      /* the entry module threw or reported a failure */
#define MCU_EXIT_XS_ABORT 3       /* XS aborted (memory full, stack overflow, ...) */
#define MCU_EXIT_FAULT 4          /* a CPU fault */
#define MCU_EXIT_POWER_CUT 5      /* a power cut injected at a flash operation (host-flash.c) */

/* uart.c: CMSDK APB UART 0, transmit only. */
void mcu_uart_init(void);
void mcu_putc(char c);
void mcu_puts(const char *s);
void mcu_putu(uint32_t value);

/* clock.c: SysTick as a free-running counter of the core clock. */
void mcu_clock_init(void);
uint64_t mcu_ticks(void);              /* core-clock ticks since mcu_clock_init */
uint32_t mcu_ticks_per_ms(void);
uint64_t mcu_instructions(void);       /* exact with QEMU -icount shift=0; see clock.c */
uint32_t mcu_instructions_per_tick(void);

/* semihost.c: ARM semihosting (the host's files and the run's exit status). */
__attribute__((noreturn)) void mcu_exit(int code);
int mcu_host_open(const char *path, int mode); /* ISO C fopen modes by index: 1 "rb", 3 "r+b"; -1 on failure */
int mcu_host_close(int handle);
int mcu_host_read(int handle, void *buffer, size_t length);        /* bytes NOT read */
int mcu_host_write(int handle, const void *buffer, size_t length); /* bytes NOT written */
int mcu_host_seek(int handle, size_t position);                    /* 0 on success */
long mcu_host_length(int handle);                                  /* -1 on failure */
int mcu_host_cmdline(char *buffer, size_t length);                 /* QEMU: the ELF path, then -append; -1 if none */

/* ram.c: heap (via _sbrk) and stack, painted at reset. */
void mcu_ram_paint(void);
size_t mcu_heap_high_water(void);      /* bytes the malloc arena took from RAM */
size_t mcu_heap_touched(void);         /* bytes of the heap region written at least once */
size_t mcu_stack_touched(void);        /* bytes of the main stack written at least once */
size_t mcu_static_ram(void);           /* .data + .bss */

#endif
