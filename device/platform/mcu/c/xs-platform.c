/*
 * What XS and the SDK's `mc` host (xs/platforms/mc/xsHosts.c) ask of a platform, for one
 * core with no RTOS: console output, abort, the message queue that carries promise jobs
 * and timers, and the time-of-day calls. It replaces the pico platform's xsPlatform.c and
 * xsHost.c, which talk to the RP2040; the SDK's headers for `pico` are used unchanged
 * (with the stand-ins in include/). UTC only: the agent trusts no local time.
 */
#include "xsAll.h"
#include "xs.h"
#include "xsHosts.h"
#include "mc.defines.h"
#include "mcu.h"

/* --- console ---------------------------------------------------------------------------- */

void ESP_putc(int c)
{
  mcu_putc((char)c);
}

int ESP_getc(void)
{
  return -1;
}

void fx_putc(void *refcon, char c)
{
  (void)refcon;
  if (c) mcu_putc(c);
}

void modLog_transmit(const char *msg)
{
  mcu_puts(msg);
  mcu_puts("\r\n");
}

void fxAbort(txMachine *the, int status)
{
  const xsStringValue fxAbortString(int status);
  mcu_puts("mcu: XS abort: ");
  mcu_puts(fxAbortString(status));
  mcu_puts("\n");
  mcu_exit(MCU_EXIT_XS_ABORT);
}

void pico_reboot(uint32_t kind)
{
  (void)kind;
  mcu_exit(MCU_EXIT_XS_ABORT);
}

uint32_t pico_memory_remaining(void)
{
  return 0;
}

/* --- unaligned reads (the SDK's pico headers route c_read8/16/32 through these) --------- */

uint8_t espRead8(const void *addr)
{
  return *(const uint8_t *)addr;
}

uint16_t espRead16(const void *addr)
{
  const uint8_t *p = addr;
  return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t espRead32(const void *addr)
{
  const uint8_t *p = addr;
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint16_t espRead16be(const void *addr)
{
  const uint8_t *p = addr;
  return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t espRead32be(const void *addr)
{
  const uint8_t *p = addr;
  return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* --- machine, messages, promise jobs ---------------------------------------------------- */

typedef struct mcuMessage {
  struct mcuMessage *next;
  xsMachine *the;
  modMessageDeliver callback;
  void *refcon;
  uint16_t length;
  char message[1];
} mcuMessage;

static mcuMessage *queue;

void modMachineTaskInit(xsMachine *the) { (void)the; }
void modMachineTaskWait(xsMachine *the) { (void)the; }
void modMachineTaskWake(xsMachine *the) { (void)the; }

void modMachineTaskUninit(xsMachine *the)
{
  for (mcuMessage *m = queue; m; m = m->next)
    if (m->the == the) m->callback = NULL;
}

void fxCreateMachinePlatform(txMachine *the)
{
  modMachineTaskInit(the);
}

void fxDeleteMachinePlatform(txMachine *the)
{
  modMachineTaskUninit(the);
}

int modMessagePostToMachine(xsMachine *the, uint8_t *message, uint16_t length, modMessageDeliver callback, void *refcon)
{
  mcuMessage *m = c_malloc(sizeof(mcuMessage) + length);
  if (!m) return -1;
  m->next = NULL;
  m->the = the;
  m->callback = callback;
  m->refcon = refcon;
  m->length = length;
  if (message && length) c_memmove(m->message, message, length);
  modCriticalSectionBegin();
  mcuMessage **tail = &queue;
  while (*tail) tail = &(*tail)->next;
  *tail = m;
  modCriticalSectionEnd();
  return 0;
}

int modMessagePostToMachineFromISR(xsMachine *the, modMessageDeliver callback, void *refcon)
{
  return modMessagePostToMachine(the, NULL, 0, callback, refcon);
}

/* Delivers the messages queued so far; returns whether more are waiting. */
int modMessageService(xsMachine *the, int maxDelayMS)
{
  (void)the;
  (void)maxDelayMS;
  mcuMessage *batch;
  modCriticalSectionBegin();
  batch = queue;
  queue = NULL;
  modCriticalSectionEnd();
  while (batch) {
    mcuMessage *next = batch->next;
    if (batch->callback) batch->callback(batch->the, batch->refcon, (uint8_t *)batch->message, batch->length);
    c_free(batch);
    batch = next;
  }
  return queue ? 1 : 0;
}

int mcu_messages_pending(void)
{
  return queue != NULL;
}

static void runPromiseJobs(void *machine, void *refcon, uint8_t *message, uint16_t length)
{
  (void)refcon; (void)message; (void)length;
  fxRunPromiseJobs((txMachine *)machine);
}

void fxQueuePromiseJobs(txMachine *the)
{
  modMessagePostToMachine(the, NULL, 0, runPromiseJobs, NULL);
}

#ifdef mxInstrument
void modInstrumentationSetup(xsMachine *the)
{
  (void)the; /* the readings are taken on demand by the mcu/native module */
}
#endif

/* --- time of day (UTC, from SysTick plus whatever modSetTime set) ----------------------- */

static int64_t epochOffsetUs;

void modGetTimeOfDay(struct modTimeVal *tv, struct modTimeZone *tz)
{
  int64_t us = (int64_t)time_us_64() + epochOffsetUs;
  if (tv) {
    tv->tv_sec = (modTime_t)(us / 1000000);
    tv->tv_usec = (int32_t)(us % 1000000);
  }
  if (tz) {
    tz->tz_minuteswest = 0;
    tz->tz_dsttime = 0;
  }
}

void modSetTime(uint32_t seconds)
{
  epochOffsetUs = (int64_t)seconds * 1000000 - (int64_t)time_us_64();
}

int32_t modGetTimeZone(void) { return 0; }
void modSetTimeZone(int32_t offset) { (void)offset; }
int32_t modGetDaylightSavingsOffset(void) { return 0; }
void modSetDaylightSavingsOffset(int32_t offset) { (void)offset; }

/* Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
static struct modTm gmtime;

struct modTm *modGmTime(const modTime_t *timep)
{
  int64_t t = *timep;
  int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) { rem += 86400; days--; }
  gmtime.tm_hour = (int)(rem / 3600);
  gmtime.tm_min = (int)(rem % 3600 / 60);
  gmtime.tm_sec = (int)(rem % 60);
  gmtime.tm_wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  gmtime.tm_year = (int)(y - 1900);
  gmtime.tm_mon = (int)(m - 1);
  gmtime.tm_mday = (int)d;
  static const int16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  gmtime.tm_yday = before[gmtime.tm_mon] + gmtime.tm_mday - 1 + (leap && gmtime.tm_mon > 1);
  gmtime.tm_isdst = 0;
  return &gmtime;
}

struct modTm *modLocalTime(const modTime_t *timep)
{
  return modGmTime(timep);
}

modTime_t modMkTime(struct modTm *tm)
{
  int64_t y = tm->tm_year + 1900, m = tm->tm_mon + 1;
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + tm->tm_mday - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return (modTime_t)(days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec);
}

void modStrfTime(char *s, size_t max, const char *format, const struct modTm *tm)
{
  (void)format; (void)tm;
  if (max) s[0] = 0;
}

/* --- preferences: none on this platform (the agent keeps its state in its own flash) ---- */

void xs_preference_set(xsMachine *the) { xsUnknownError("no preferences on this platform"); }
void xs_preference_get(xsMachine *the) { xsResult = xsUndefined; }
void xs_preference_delete(xsMachine *the) { (void)the; }
void xs_preference_keys(xsMachine *the) { xsResult = xsNewArray(0); }
void xs_preference_reset(xsMachine *the) { (void)the; }
