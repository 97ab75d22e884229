/*
 * Reset and trap entry for a bare-metal RV32 (machine mode, no interrupts used). _start sets
 * the global pointer and the stack, then mcu_rv32_reset copies .data and .tdata, clears
 * .bss and .tbss, points tp at the thread-local block (picolibc keeps errno there), installs
 * the trap handler, paints the heap and the stack for the high-water readings and calls
 * main(). A trap (illegal instruction, misaligned or faulting access, a stray ebreak) is
 * reported on the UART with mcause and mepc, then the run exits so a test does not hang.
 */
#include <stdint.h>
#include "mcu.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __tdata_load[], __tdata_start[], __tdata_end[], __tbss_end[];
extern int main(void);

void mcu_rv32_reset(void);
void mcu_rv32_trap(void);

__attribute__((naked, section(".vectors"), used)) void _start(void)
{
  __asm volatile(
    ".option push\n"
    ".option norelax\n"
    "la gp, __global_pointer$\n"
    ".option pop\n"
    "la sp, __stack_top\n"
    "j mcu_rv32_reset\n");
}

/* mtvec wants a 4-byte aligned address (direct mode). */
__attribute__((naked, aligned(4))) static void trapEntry(void)
{
  __asm volatile("j mcu_rv32_trap\n");
}

void mcu_rv32_reset(void)
{
  uint32_t *src = __data_load, *dst = __data_start;
  while (dst < __data_end) *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  for (src = __tdata_load, dst = __tdata_start; dst < __tdata_end;) *dst++ = *src++;
  for (; dst < __tbss_end;) *dst++ = 0;
  __asm volatile("mv tp, %0" : : "r"(__tdata_start));
  __asm volatile("csrw mtvec, %0" : : "r"(trapEntry));
  mcu_ram_paint();
  mcu_exit(main());
}

void mcu_rv32_trap(void)
{
  uint32_t cause, epc;
  __asm volatile("csrr %0, mcause" : "=r"(cause));
  __asm volatile("csrr %0, mepc" : "=r"(epc));
  mcu_puts("\nmcu: trap, mcause ");
  mcu_putu(cause);
  mcu_puts(" at mepc ");
  mcu_putu(epc);
  mcu_puts("\n");
  mcu_exit(MCU_EXIT_FAULT);
}
