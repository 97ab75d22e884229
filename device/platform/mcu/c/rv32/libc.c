/*
 * What picolibc asks of a bare-metal program (in place of c/syscalls.c, which serves
 * newlib): stdout and stderr on the UART, sbrk for malloc (the arena and its high-water
 * mark are c/ram.c's _sbrk), and _exit through semihosting. There is no file system behind
 * stdio; the agent's flash is the mcu/host-flash module.
 */
#include <stddef.h>
#include <stdio.h>
#include "mcu.h"

extern void *_sbrk(ptrdiff_t increment);

static int putUart(char c, FILE *file)
{
  (void)file;
  mcu_putc(c);
  return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(putUart, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;

void *sbrk(ptrdiff_t increment)
{
  return _sbrk(increment);
}

void _exit(int code)
{
  mcu_exit(code);
}
