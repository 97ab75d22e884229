/*
 * The `mcu/link-uart` module: the link to the supervisor on the board's second CMSDK APB
 * UART. QEMU wires it to the supervisor's TCP socket (`-serial stdio -serial tcp:...`:
 * UART 0 stays the console, UART 1 is the link), and the bytes are the lin link protocol
 * (device/platform/lin/link-protocol.ts) unchanged, so the lin transport, activation and
 * reporter ports run on top of it as they are. Bindings in native/link-uart.js.
 *
 * Receiving is polled from the main loop and while it waits for a timer (mcu_link_poll,
 * main.c): the UART holds one byte, and QEMU stops reading the socket while that byte is
 * unread, so a slow poll paces the sender and loses nothing. While the loop waits, an
 * empty poll sleeps the core (WFI) until the next byte or the next SysTick wrap, when that
 * wrap comes before the timer it waits for: QEMU moves each byte in from its I/O thread,
 * and a core spinning on the UART kept that thread from running (about 5 blocks a second
 * on a loaded host). The RX interrupt only wakes the core: PRIMASK stays set while it is
 * enabled, so the vector table needs no entry for it. Only when the command line says
 * `wfi`: under -icount QEMU adds a halted core's time to the virtual clock late, so some
 * of it would be counted as instructions; the counting run spins instead (its waits are
 * left out of the counts by main.c). Bytes are gathered until one
 * whole message (u32 length, little-endian, then that many bytes) is in, and the message
 * goes to JS in one call: one call per message, not per byte. The UART is not read again
 * until JS has had it, so the buffer is one message long. A length the protocol refuses
 * is handed over at once: JS's reader then declares the link broken.
 */
#include "xsAll.h"
#include "xsmc.h"
#include "board.h"
#include "mcu.h"

/* UART 1 sits 0x1000 above UART 0 on both boards (AN505: 0x50201000, AN386: 0x40005000). */
#define LINK_UART_BASE (MCU_UART0_BASE + 0x1000u)
#define LINK_DATA (*(volatile uint32_t *)(LINK_UART_BASE + 0x000))
#define LINK_STATE (*(volatile uint32_t *)(LINK_UART_BASE + 0x004))
#define LINK_CTRL (*(volatile uint32_t *)(LINK_UART_BASE + 0x008))
#define LINK_BAUDDIV (*(volatile uint32_t *)(LINK_UART_BASE + 0x010))
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u
#define CTRL_TX_RX_ENABLE 3u

/* MAX_MESSAGE of link-protocol.ts: the largest length either end accepts. */
#define LINK_MAX_MESSAGE 4096

extern char mcu_command_line[];

static uint8_t received[4 + LINK_MAX_MESSAGE];
static size_t used;
static int handedOver; /* a message waits for JS: the UART is left alone until it is delivered */
static int sleepWhileWaiting; /* `wfi` on the command line */
static xsMachine *linkMachine;
static xsSlot receiver;

static void deliver(void *machine, void *refcon, uint8_t *message, uint16_t length)
{
  (void)refcon; (void)message; (void)length;
  xsMachine *the = machine;
  xsBeginHost(the);
  xsmcVars(1);
  xsmcSetArrayBuffer(xsVar(0), received, (xsUnsignedValue)used); /* a copy: the buffer is free again */
  used = 0;
  handedOver = 0;
  xsTry {
    xsCallFunction1(receiver, xsUndefined, xsVar(0));
  }
  xsCatch {
    /* The entry's handler never throws by design; if it does, the message is lost, not the machine. */
    mcu_puts("mcu: link receiver threw\n");
  }
  xsEndHost(the);
}

static void handOver(void)
{
  handedOver = 1;
  if (modMessagePostToMachine(linkMachine, NULL, 0, deliver, NULL) != 0) handedOver = 0; /* no RAM: retried at the next poll */
}

#define LINK_INTCLEAR (*(volatile uint32_t *)(LINK_UART_BASE + 0x00C))
#define CTRL_RX_INTERRUPT 8u
/* Armv7-M / Armv8-M NVIC: set-enable, clear-enable, clear-pending; 4 words cover IRQs 0-127. */
#define NVIC_ISER ((volatile uint32_t *)0xE000E100u)
#define NVIC_ICER ((volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR ((volatile uint32_t *)0xE000E280u)

/* Sleeps until a byte arrives or SysTick wraps (clock.c), if the wrap comes before `until`. */
static void sleepForByte(uint64_t until)
{
  if (mcu_ticks() + SYST_CVR >= until) return; /* the timer is due first: keep polling */
  __asm volatile ("cpsid i" ::: "memory");
  LINK_CTRL = CTRL_TX_RX_ENABLE | CTRL_RX_INTERRUPT;
  for (int i = 0; i < 4; i++) NVIC_ISER[i] = 0xFFFFFFFFu; /* which line is UART 1's differs by board */
  if (!(LINK_STATE & STATE_RX_FULL)) __asm volatile ("dsb\n wfi" ::: "memory");
  for (int i = 0; i < 4; i++) NVIC_ICER[i] = 0xFFFFFFFFu;
  LINK_CTRL = CTRL_TX_RX_ENABLE;
  LINK_INTCLEAR = 3;
  for (int i = 0; i < 4; i++) NVIC_ICPR[i] = 0xFFFFFFFFu;
  __asm volatile ("cpsie i" ::: "memory"); /* a SysTick wrap that woke the core is counted now */
}

/* Reads what the UART has; `waitUntil` (ticks) is the main loop's deadline when it is waiting, else 0. */
void mcu_link_poll(uint64_t waitUntil)
{
  if (!linkMachine) return;
  if (handedOver) return;
  if (used >= 4) { /* a post that failed for want of RAM: try again */
    uint32_t n = received[0] | (received[1] << 8) | (received[2] << 16) | ((uint32_t)received[3] << 24);
    if (n == 0 || n > LINK_MAX_MESSAGE || used == 4 + n) {
      handOver();
      return;
    }
  }
  while (LINK_STATE & STATE_RX_FULL) {
    received[used++] = (uint8_t)LINK_DATA;
    if (used < 4) continue;
    uint32_t n = received[0] | (received[1] << 8) | (received[2] << 16) | ((uint32_t)received[3] << 24);
    if (n == 0 || n > LINK_MAX_MESSAGE || used == 4 + n) {
      handOver();
      return;
    }
  }
  if (waitUntil && sleepWhileWaiting) sleepForByte(waitUntil);
}

int mcu_link_open(void)
{
  return linkMachine != NULL;
}

/* open(onReceived): enables the UART; onReceived(ArrayBuffer) gets each whole message. */
void xs_linkuart_open(xsMachine *the)
{
  if (linkMachine) xsUnknownError("link already open");
  receiver = xsArg(0);
  xsRemember(receiver);
  linkMachine = the;
  sleepWhileWaiting = c_strstr(mcu_command_line, " wfi") != NULL;
  LINK_BAUDDIV = 16; /* the smallest divider the CMSDK UART accepts; QEMU does not pace by it */
  LINK_CTRL = CTRL_TX_RX_ENABLE;
}

/* write(view): every byte, waiting while the transmitter is full (QEMU: the socket's send buffer). */
void xs_linkuart_write(xsMachine *the)
{
  void *data;
  xsUnsignedValue length;
  xsmcGetBufferReadable(xsArg(0), &data, &length);
  const uint8_t *bytes = data;
  for (xsUnsignedValue i = 0; i < length; i++) {
    while (LINK_STATE & STATE_TX_FULL)
      ;
    LINK_DATA = bytes[i];
  }
}

/* close(): receiving stops; what was gathered is dropped. */
void xs_linkuart_close(xsMachine *the)
{
  LINK_CTRL = 0;
  if (linkMachine) xsForget(receiver);
  linkMachine = NULL;
  used = 0;
}
