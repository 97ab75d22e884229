/*
 * Time from the CLINT's mtime (10 MHz), instructions from minstret. Under QEMU with
 * `-icount shift=0` minstret is the exact count of instructions retired, and mtime is
 * virtual time (one instruction per nanosecond), so both are repeatable; no interrupt is
 * needed, as both counters are 64 bits wide. A "tick" here is one mtime count (100
 * instructions), which is what main.c's idle accounting multiplies back.
 */
#include "board.h"
#include "mcu.h"

void mcu_clock_init(void)
{
}

uint64_t mcu_ticks(void)
{
  uint32_t hi, lo;
  do {
    hi = MCU_RV32_MTIME_HI;
    lo = MCU_RV32_MTIME_LO;
  } while (hi != MCU_RV32_MTIME_HI);
  return ((uint64_t)hi << 32) | lo;
}

uint32_t mcu_ticks_per_ms(void)
{
  return MCU_RV32_MTIME_HZ / 1000;
}

uint32_t mcu_instructions_per_tick(void)
{
  return MCU_RV32_VIRTUAL_HZ / MCU_RV32_MTIME_HZ;
}

uint64_t mcu_instructions(void)
{
  uint32_t hi, lo, again;
  do {
    __asm volatile("csrr %0, minstreth" : "=r"(hi));
    __asm volatile("csrr %0, minstret" : "=r"(lo));
    __asm volatile("csrr %0, minstreth" : "=r"(again));
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t time_us_64(void)
{
  return mcu_ticks() / (MCU_RV32_MTIME_HZ / 1000000u);
}

uint32_t time_us_32(void)
{
  return (uint32_t)time_us_64();
}

void busy_wait_us_32(uint32_t us)
{
  uint64_t until = time_us_64() + us;
  while (time_us_64() < until)
    ;
}
