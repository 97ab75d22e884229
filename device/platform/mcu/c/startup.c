/*
 * Reset and fault entry for a bare-metal Cortex-M (M4F, M33). The vector table holds only
 * what this platform uses: reset, the faults (reported on the UART, then a semihosting
 * exit so a test run ends instead of hanging) and SysTick (the clock). Reset copies .data,
 * clears .bss, paints the heap and the stack for the high-water readings, turns the FPU on
 * and calls main().
 */
#include <stdint.h>
#include "board.h"
#include "mcu.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern int main(void);
extern void mcu_systick_isr(void);

void mcu_reset(void);
static void mcu_fault(void);

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
  (void (*)(void))__stack_top,
  mcu_reset,
  mcu_fault, /* NMI */
  mcu_fault, /* HardFault */
  mcu_fault, /* MemManage */
  mcu_fault, /* BusFault */
  mcu_fault, /* UsageFault */
  mcu_fault, /* SecureFault (ARMv8-M) */
  0, 0, 0,
  mcu_fault, /* SVCall */
  mcu_fault, /* DebugMonitor */
  0,
  mcu_fault, /* PendSV */
  mcu_systick_isr,
};

void mcu_reset(void)
{
  uint32_t *src = __data_load, *dst = __data_start;
  while (dst < __data_end) *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end; ) *dst++ = 0;
  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11: full access to the FPU */
  __asm volatile ("dsb\n isb");
  mcu_ram_paint();
  mcu_exit(main());
}

static void mcu_fault(void)
{
  uint32_t ipsr;
  __asm volatile ("mrs %0, ipsr" : "=r"(ipsr));
  mcu_puts("\nmcu: fault, exception ");
  mcu_putu(ipsr & 0x1ff);
  mcu_puts("\n");
  mcu_exit(MCU_EXIT_FAULT);
}
