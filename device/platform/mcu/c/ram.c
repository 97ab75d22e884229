/*
 * RAM readings. At reset the heap region (from the end of .bss to the stack's limit) and
 * the stack below the reset frame are filled with a pattern; later the first word that
 * lost the pattern, scanned from the far end, tells how much of each region was ever
 * written ("touched"). _sbrk hands the heap to newlib's malloc and keeps the arena's
 * high-water mark. RAM used by the program = static (.data + .bss) + heap high-water
 * + stack touched.
 */
#include <errno.h>
#include "mcu.h"

#define PAINT 0xC5A5C5A5u

extern uint32_t __heap_start[], __heap_limit[], __stack_limit[], __stack_top[];
extern uint32_t __data_start[], __bss_end[];

static char *brk = (char *)__heap_start;
static char *brkHigh = (char *)__heap_start;

void mcu_ram_paint(void)
{
  uint32_t *p;
  volatile uint32_t here; /* on the stack: its address is the stack pointer, give or take a frame */
  uint32_t *sp = (uint32_t *)&here;
  for (p = __heap_start; p < __heap_limit; p++) *p = PAINT;
  for (p = __stack_limit; p < sp - 16; p++) *p = PAINT;
}

void *_sbrk(ptrdiff_t increment)
{
  char *previous = brk;
  if (brk + increment > (char *)__heap_limit || brk + increment < (char *)__heap_start) {
    errno = ENOMEM;
    return (void *)-1;
  }
  brk += increment;
  if (brk > brkHigh) brkHigh = brk;
  return previous;
}

size_t mcu_heap_high_water(void)
{
  return (size_t)(brkHigh - (char *)__heap_start);
}

size_t mcu_heap_touched(void)
{
  uint32_t *p = __heap_limit;
  while (p > __heap_start && p[-1] == PAINT) p--;
  return (size_t)((char *)p - (char *)__heap_start);
}

size_t mcu_stack_touched(void)
{
  uint32_t *p = __stack_limit;
  while (p < __stack_top && *p == PAINT) p++;
  return (size_t)((char *)__stack_top - (char *)p);
}

size_t mcu_static_ram(void)
{
  return (size_t)((char *)__bss_end - (char *)__data_start);
}
