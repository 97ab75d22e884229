/*
 * The `mcu/host-flash` module: NOR flash kept in a file on the host, reached by
 * semihosting, so that its contents survive a relaunch of the emulator. NOR rules are
 * enforced here, where a driver would meet them: a program must be aligned to
 * MCU_FLASH_WRITE_ALIGN and may only touch bytes that read as erased (0xFF); an erase sets
 * a whole 4096-byte sector to 0xFF. A broken rule throws (the agent's bug, not flash
 * wear). The same functions read any host file (the OTA file fed in as radio blocks).
 * Bindings in native/host-flash.js.
 *
 * Power cuts: `cut=N` on the command line stops the core at the N-th program or erase of
 * this run (counting from 1), before it touches the file; with `torn` as well, the
 * operation is half done first (the first half of the bytes programmed, or the first half
 * of the sector erased), one of the states an interrupted NOR operation leaves. The run
 * then ends with exit code MCU_EXIT_POWER_CUT, and the host relaunches it.
 */
#include "xsAll.h"
#include "xsmc.h"
#include "mcu.h"

#define MCU_FLASH_SECTOR 4096
#define MCU_FLASH_WRITE_ALIGN 4
#define PIECE 256

static uint32_t operations;
static uint32_t cutAt;
static int cutTorn;

extern char mcu_command_line[];

static void readCutConfiguration(void)
{
  const char *cut = c_strstr(mcu_command_line, " cut=");
  if (cut) cutAt = (uint32_t)c_strtoul(cut + 5, NULL, 10);
  cutTorn = c_strstr(mcu_command_line, " torn") != NULL;
}

/* Counts one program or erase; true when power fails at this one. */
static int powerFailsNow(void)
{
  return ++operations == cutAt;
}

static void powerCut(void)
{
  mcu_puts("mcu: power cut at flash operation ");
  mcu_putu(operations);
  mcu_puts(cutTorn ? " (torn)\n" : " (clean)\n");
  mcu_exit(MCU_EXIT_POWER_CUT);
}

/* open(path, writable) → handle */
void xs_hostflash_open(xsMachine *the)
{
  const char *path = xsmcToString(xsArg(0));
  int handle = mcu_host_open(path, xsmcTest(xsArg(1)) ? 3 : 1);
  if (handle < 0) xsUnknownError("host file not found");
  if (xsmcTest(xsArg(1))) readCutConfiguration();
  xsmcSetInteger(xsResult, handle);
}

void xs_hostflash_length(xsMachine *the)
{
  long length = mcu_host_length(xsmcToInteger(xsArg(0)));
  if (length < 0) xsUnknownError("host file length unknown");
  xsmcSetNumber(xsResult, (double)length);
}

static void readAt(xsMachine *the, int handle, uint32_t offset, void *data, size_t length)
{
  if (mcu_host_seek(handle, offset) != 0 || mcu_host_read(handle, data, length) != 0) xsUnknownError("host file read failed");
}

static void writeAt(xsMachine *the, int handle, uint32_t offset, const void *data, size_t length)
{
  if (mcu_host_seek(handle, offset) != 0 || mcu_host_write(handle, data, length) != 0) xsUnknownError("host file write failed");
}

/* read(handle, offset, view): fills the view */
void xs_hostflash_read(xsMachine *the)
{
  void *data;
  xsUnsignedValue length;
  int handle = xsmcToInteger(xsArg(0));
  uint32_t offset = (uint32_t)xsmcToNumber(xsArg(1));
  xsmcGetBufferWritable(xsArg(2), &data, &length);
  if (length) readAt(the, handle, offset, data, length);
}

/* program(handle, offset, view): NOR program onto erased bytes only */
void xs_hostflash_program(xsMachine *the)
{
  void *data;
  xsUnsignedValue length;
  uint8_t existing[PIECE];
  int handle = xsmcToInteger(xsArg(0));
  uint32_t offset = (uint32_t)xsmcToNumber(xsArg(1));
  xsmcGetBufferReadable(xsArg(2), &data, &length);
  if ((offset % MCU_FLASH_WRITE_ALIGN) || (length % MCU_FLASH_WRITE_ALIGN)) xsRangeError("NOR rule: unaligned program");
  for (xsUnsignedValue done = 0; done < length; done += PIECE) {
    size_t piece = (length - done) < PIECE ? (length - done) : PIECE;
    readAt(the, handle, offset + done, existing, piece);
    for (size_t i = 0; i < piece; i++)
      if (existing[i] != 0xFF) xsRangeError("NOR rule: program over bytes that are not erased");
  }
  if (powerFailsNow()) {
    if (cutTorn) writeAt(the, handle, offset, data, (length / 2) & ~(MCU_FLASH_WRITE_ALIGN - 1));
    powerCut();
  }
  writeAt(the, handle, offset, data, length);
}

/* erase(handle, sectorIndex) */
void xs_hostflash_erase(xsMachine *the)
{
  uint8_t erased[PIECE];
  int handle = xsmcToInteger(xsArg(0));
  uint32_t offset = (uint32_t)xsmcToInteger(xsArg(1)) * MCU_FLASH_SECTOR;
  c_memset(erased, 0xFF, sizeof(erased));
  if (powerFailsNow()) {
    if (cutTorn)
      for (uint32_t done = 0; done < MCU_FLASH_SECTOR / 2; done += PIECE) writeAt(the, handle, offset + done, erased, PIECE);
    powerCut();
  }
  for (uint32_t done = 0; done < MCU_FLASH_SECTOR; done += PIECE) writeAt(the, handle, offset + done, erased, PIECE);
}

void xs_hostflash_close(xsMachine *the)
{
  mcu_host_close(xsmcToInteger(xsArg(0)));
}

/* Program and erase operations so far (for the per-phase tables). */
void xs_hostflash_operations(xsMachine *the)
{
  xsmcSetNumber(xsResult, (double)operations);
}
