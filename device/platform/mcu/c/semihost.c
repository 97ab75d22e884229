/*
 * ARM semihosting (ARM IHI 0096, "Semihosting for AArch32 and AArch64"): the host's files
 * and the run's exit status, through `bkpt 0xAB` with the operation in r0 and a parameter
 * block in r1 (on RV32, the RISC-V semihosting sequence with a0 and a1). QEMU needs `-semihosting-config enable=on,target=native`. Each call is one
 * instruction for -icount, so a semihosted file stands in for flash without adding to the
 * counts the agent's own code makes.
 */
#include <string.h>
#include "mcu.h"

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_SEEK = 0x0A,
  SYS_FLEN = 0x0C,
  SYS_GET_CMDLINE = 0x15,
  SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

#if defined(__riscv)
/* RISC-V semihosting: the same calls in a0/a1, trapped by this uncompressed three-instruction sequence. */
static int semihost(int op, void *block)
{
  register int a0 __asm("a0") = op;
  register void *a1 __asm("a1") = block;
  __asm volatile (".option push\n .option norvc\n .balign 16\n slli zero, zero, 0x1f\n ebreak\n srai zero, zero, 7\n .option pop"
                  : "+r"(a0) : "r"(a1) : "memory");
  return a0;
}
#else
static int semihost(int op, void *block)
{
  register int r0 __asm("r0") = op;
  register void *r1 __asm("r1") = block;
  __asm volatile ("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
#endif

void mcu_exit(int code)
{
  uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code };
  semihost(SYS_EXIT_EXTENDED, block);
  for (;;)
    ;
}

int mcu_host_open(const char *path, int mode)
{
  uint32_t block[3] = { (uint32_t)path, (uint32_t)mode, (uint32_t)strlen(path) };
  return semihost(SYS_OPEN, block);
}

int mcu_host_close(int handle)
{
  uint32_t block[1] = { (uint32_t)handle };
  return semihost(SYS_CLOSE, block);
}

int mcu_host_read(int handle, void *buffer, size_t length)
{
  uint32_t block[3] = { (uint32_t)handle, (uint32_t)buffer, (uint32_t)length };
  return semihost(SYS_READ, block);
}

int mcu_host_write(int handle, const void *buffer, size_t length)
{
  uint32_t block[3] = { (uint32_t)handle, (uint32_t)buffer, (uint32_t)length };
  return semihost(SYS_WRITE, block);
}

int mcu_host_seek(int handle, size_t position)
{
  uint32_t block[2] = { (uint32_t)handle, (uint32_t)position };
  return semihost(SYS_SEEK, block);
}

long mcu_host_length(int handle)
{
  uint32_t block[1] = { (uint32_t)handle };
  return semihost(SYS_FLEN, block);
}

int mcu_host_cmdline(char *buffer, size_t length)
{
  uint32_t block[2] = { (uint32_t)buffer, (uint32_t)length };
  if (semihost(SYS_GET_CMDLINE, block) != 0) return -1;
  return (int)block[1];
}
