/*
 * The emulated boards: where the UART sits and how fast SysTick counts. One block per
 * QEMU machine; the build picks one with -DMCU_BOARD_AN505 (Cortex-M33) or
 * -DMCU_BOARD_AN386 (Cortex-M4F). Addresses from the boards' application notes (AN505,
 * AN386) as QEMU models them; the M33 runs in the Secure state, so its peripherals are
 * reached through the Secure alias (bit 28 set).
 */
#ifndef MCU_BOARD_H
#define MCU_BOARD_H

#include <stdint.h>

#if defined(MCU_BOARD_AN505)
#define MCU_BOARD_NAME "mps2-an505 (Cortex-M33)"
#define MCU_UART0_BASE 0x50200000u
#define MCU_SYSCLK_HZ 20000000u /* QEMU mps2-tz: 20 MHz */
#elif defined(MCU_BOARD_AN386)
#define MCU_BOARD_NAME "mps2-an386 (Cortex-M4F)"
#define MCU_UART0_BASE 0x40004000u
#define MCU_SYSCLK_HZ 25000000u /* QEMU mps2: 25 MHz */
#elif defined(MCU_BOARD_RV32)
#define MCU_BOARD_NAME "virt (RV32IMAC)" /* its addresses: rv32/board.h */
#else
#error "define MCU_BOARD_AN505, MCU_BOARD_AN386 or MCU_BOARD_RV32"
#endif

/* SysTick, the same on every Cortex-M (ARMv7-M / ARMv8-M architecture manuals, B3.3). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

#endif
