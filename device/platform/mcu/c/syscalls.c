/*
 * The few newlib system calls a bare-metal program links against: console writes go to
 * the UART, exit to semihosting, and there is no file system behind file descriptors
 * (the agent's flash is reached through the mcu/host-file native module instead).
 */
#include <errno.h>
#include <sys/stat.h>
#include "mcu.h"

int _write(int fd, const char *data, int length)
{
  (void)fd;
  for (int i = 0; i < length; i++) mcu_putc(data[i]);
  return length;
}

int _read(int fd, char *data, int length)
{
  (void)fd; (void)data; (void)length;
  return 0;
}

int _close(int fd) { (void)fd; errno = EBADF; return -1; }
int _lseek(int fd, int offset, int whence) { (void)fd; (void)offset; (void)whence; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int code) { mcu_exit(code); }
