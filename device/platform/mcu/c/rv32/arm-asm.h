/*
 * Forced into every RV32 compilation (-include). The SDK's `pico` headers, used unchanged,
 * spell the critical section as Cortex-M instructions inside __asm strings
 * (xs/platforms/pico/xsHost.h: "cpsid i", "isb", "cpsie i"). These assembler macros give
 * those three mnemonics their RV32 meaning: clear or set mstatus.MIE (machine interrupts
 * off/on) and a fence. This platform takes no interrupts on RV32, so they only keep the
 * code honest should one be added.
 */
#ifndef MCU_RV32_ARM_ASM_H
#define MCU_RV32_ARM_ASM_H
__asm__(
  ".macro cpsid mask\n csrci mstatus, 8\n .endm\n"
  ".macro cpsie mask\n csrsi mstatus, 8\n .endm\n"
  ".macro isb\n fence\n .endm\n");
#endif
