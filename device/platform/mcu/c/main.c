/*
 * Boot of the MCU image: UART and clock up, a check that the instruction count is exact,
 * the XS machine cloned from the preloaded archive, then the entry module imported and
 * the event loop run: timers, then queued messages (promise jobs), until the entry calls
 * mcu/native exit() or nothing is left to run (an open link to the supervisor, link-uart.c,
 * counts as something to wait for).
 *
 * The semihosting command line (QEMU -append) chooses the entry module and may change
 * the archive's `creation` for this run, so one image serves every measurement:
 *   platform/mcu/bench-native stack=256 chunk=4096,1024 heap=1024,256
 * (stack and heap in slots of 16 bytes, chunk in bytes: initial,incremental).
 * Time spent waiting for a timer is counted as idle and left out of the instruction count
 * that JS reads.
 */
#include "xsAll.h"
#include "xs.h"
#include "xsHosts.h"
#include "mc.defines.h"
#include "board.h"
#include "mcu.h"

extern void *xsPreparationAndCreation(xsCreation **creation);

#ifndef MCU_ENTRY
#define MCU_ENTRY "platform/mcu/bench-native"
#endif

extern int mcu_messages_pending(void);
extern void modTimersExecute(void);
extern int modTimersNext(void);

/* The link to the supervisor (link-uart.c) when the image has one: bytes are read here,
   and while it is open the loop waits for them even with no timer set. */
__attribute__((weak)) void mcu_link_poll(uint64_t waitUntil) { (void)waitUntil; }
__attribute__((weak)) int mcu_link_open(void) { return 0; }

uint64_t mcu_idle_ticks;
uint64_t mcu_machine_ready_instructions;

/* 10^6 iterations of a two-instruction loop: with -icount shift=0 this prints 2000000
   (to within one tick); any other figure means the counts are not instruction counts. */
static void calibrate(void)
{
  uint32_t n = 1000000;
  uint64_t before = mcu_ticks();
#if defined(__riscv)
  __asm volatile ("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
#else
  __asm volatile ("1: subs %0, %0, #1\n bne 1b" : "+r"(n));
#endif
  uint64_t ticks = mcu_ticks() - before;
  mcu_puts("mcu: calibration loop of 2000000 instructions counted as ");
  mcu_putu((uint32_t)(ticks * mcu_instructions_per_tick()));
  mcu_puts("\n");
}

static void waitFor(int ms)
{
  uint64_t start = mcu_ticks();
  uint64_t until = start + (uint64_t)ms * mcu_ticks_per_ms();
  while (mcu_ticks() < until && !mcu_messages_pending())
    mcu_link_poll(until);
  mcu_idle_ticks += mcu_ticks() - start;
}

static char commandLine[256];
char mcu_command_line[256]; /* as given, for JS (mcu/native commandLine()) */
static const char *entry = MCU_ENTRY;

static int32_t parseNumber(const char **cursor)
{
  int32_t value = 0;
  while (**cursor >= '0' && **cursor <= '9') value = value * 10 + (*(*cursor)++ - '0');
  return value;
}

/* Reads "key=a[,b]" tokens into the creation and a bare token (after the ELF path) as the entry. */
static void readCommandLine(xsCreation *creation)
{
  if (mcu_host_cmdline(commandLine, sizeof(commandLine) - 1) < 0) return;
  c_strcpy(mcu_command_line, commandLine);
  char *token = commandLine;
  int index = 0;
  while (*token) {
    char *end = token;
    while (*end && *end != ' ') end++;
    char saved = *end;
    *end = 0;
    const char *value = c_strchr(token, '=');
    if (value) {
      value++;
      int32_t first = parseNumber(&value);
      int32_t second = (*value == ',') ? (value++, parseNumber(&value)) : -1;
      if (!c_strncmp(token, "stack=", 6)) creation->stackCount = first;
      else if (!c_strncmp(token, "chunk=", 6)) {
        creation->initialChunkSize = first;
        if (second >= 0) creation->incrementalChunkSize = second;
      }
      else if (!c_strncmp(token, "heap=", 5)) {
        creation->initialHeapCount = first;
        if (second >= 0) creation->incrementalHeapCount = second;
      }
    }
    else if (index == 1) entry = token; /* the first word after the ELF path; later bare words are the entry's flags */
    index++;
    if (!saved) break;
    token = end + 1;
    while (*token == ' ') token++;
  }
}

static void printCreation(const xsCreation *creation)
{
  mcu_puts("mcu: creation stack=");
  mcu_putu(creation->stackCount);
  mcu_puts(" chunk=");
  mcu_putu(creation->initialChunkSize);
  mcu_puts(",");
  mcu_putu(creation->incrementalChunkSize);
  mcu_puts(" heap=");
  mcu_putu(creation->initialHeapCount);
  mcu_puts(",");
  mcu_putu(creation->incrementalHeapCount);
  mcu_puts(" entry=");
  mcu_puts(entry);
  mcu_puts("\n");
}

int main(void)
{
  mcu_uart_init();
  mcu_clock_init();
  mcu_puts("mcu: " MCU_BOARD_NAME "\n");
  calibrate();

  xsCreation *archived;
  xsPreparationAndCreation(&archived);
  xsCreation creation = *archived;
  readCommandLine(&creation);
  printCreation(&creation);

  txMachine *the = modCloneMachine(&creation, NULL);
  if (!the) {
    mcu_puts("mcu: XS machine not created (out of memory)\n");
    return MCU_EXIT_XS_ABORT;
  }
  mcu_machine_ready_instructions = mcu_instructions();

  int failed = 0;
  xsBeginHost(the);
  xsTry {
    xsAwaitImport(entry, XS_IMPORT_NAMESPACE);
  }
  xsCatch {
    xsStringValue message = xsToString(xsException);
    mcu_puts("mcu: ");
    mcu_puts(entry);
    mcu_puts(" threw: ");
    mcu_puts(message);
    mcu_puts("\n");
    failed = 1;
  }
  xsEndHost(the);
  if (failed) return MCU_EXIT_JS_FAILED;

  for (;;) {
    mcu_link_poll(0);
    modTimersExecute();
    if (modMessageService(the, 0)) continue;
    int next = modTimersNext();
    if (next == 0 || mcu_messages_pending()) continue;
    if (next >= 60 * 60 * 1000 && !mcu_link_open()) {
      mcu_puts("mcu: nothing left to run\n");
      return MCU_EXIT_OK;
    }
    waitFor(next);
  }
}
