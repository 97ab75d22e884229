/*
 * QEMU `virt` for RV32 (qemu-system-riscv32 -M virt -bios none), as QEMU's hw/riscv/virt.c
 * lays it out: DRAM at 0x80000000, an NS16550A UART at 0x10000000 (byte-wide registers),
 * the CLINT's 64-bit mtime at 0x0200BFF8 counting at 10 MHz. With `-icount shift=0` one
 * instruction is one nanosecond of virtual time, so mtime advances once per 100
 * instructions, and minstret counts instructions exactly.
 */
#ifndef MCU_RV32_BOARD_H
#define MCU_RV32_BOARD_H

#include <stdint.h>

#define MCU_RV32_UART0_BASE 0x10000000u
#define MCU_RV32_MTIME_LO (*(volatile uint32_t *)0x0200BFF8u)
#define MCU_RV32_MTIME_HI (*(volatile uint32_t *)0x0200BFFCu)
#define MCU_RV32_MTIME_HZ 10000000u     /* RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ */
#define MCU_RV32_VIRTUAL_HZ 1000000000u /* -icount shift=0: 1 instruction per virtual ns */

#endif
