/*
 * Time and instruction count from SysTick, run from the core clock with the largest
 * reload so that it interrupts rarely (once per 2^24 ticks) and disturbs the counts as
 * little as possible. Under QEMU with `-icount shift=0` one instruction is one virtual
 * nanosecond, so ticks × (10^9 / core clock) is the exact instruction count, to within
 * one tick; mcu_calibrate() checks that on a loop of known length at boot.
 */
#include "board.h"
#include "mcu.h"

#define RELOAD 0x00FFFFFFu

static volatile uint32_t wraps;

void mcu_systick_isr(void)
{
  wraps++;
}

void mcu_clock_init(void)
{
  SYST_RVR = RELOAD;
  SYST_CVR = 0;
  SYST_CSR = 7; /* core clock, interrupt, enable */
}

/* The last reading: time never goes back. */
static uint64_t latest;

uint64_t mcu_ticks(void)
{
  uint32_t before, count, after;
  do {
    before = wraps;
    count = SYST_CVR;
    after = wraps;
  } while (before != after);
  uint64_t ticks = (uint64_t)before * (RELOAD + 1) + (RELOAD - count);
  /* The counter can wrap before its interrupt has counted the wrap (under QEMU -icount the
     pending exception is taken later): such a reading is one period short. Seen as a wait
     whose end preceded its start, which made the idle count exceed the clock. */
  if (ticks < latest) ticks += RELOAD + 1;
  latest = ticks;
  return ticks;
}

uint32_t mcu_ticks_per_ms(void)
{
  return MCU_SYSCLK_HZ / 1000;
}

uint32_t mcu_instructions_per_tick(void)
{
  return 1000000000u / MCU_SYSCLK_HZ;
}

uint64_t mcu_instructions(void)
{
  return mcu_ticks() * mcu_instructions_per_tick();
}

uint64_t time_us_64(void)
{
  return mcu_ticks() / (MCU_SYSCLK_HZ / 1000000u);
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
