/*
 * Console output on the virt board's NS16550A UART (THR at offset 0, LSR at offset 5, bit 5
 * = transmit holding register empty). QEMU -nographic puts it on its stdout.
 */
#include "board.h"
#include "mcu.h"

#define UART_THR (*(volatile uint8_t *)(MCU_RV32_UART0_BASE + 0))
#define UART_LSR (*(volatile uint8_t *)(MCU_RV32_UART0_BASE + 5))
#define LSR_THRE 0x20u

void mcu_uart_init(void)
{
  /* QEMU's 16550 needs no baud rate or FIFO set-up to transmit. */
}

void mcu_putc(char c)
{
  while (!(UART_LSR & LSR_THRE))
    ;
  UART_THR = (uint8_t)c;
}

void mcu_puts(const char *s)
{
  while (*s) mcu_putc(*s++);
}

void mcu_putu(uint32_t value)
{
  char digits[11];
  int i = 0;
  do {
    digits[i++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  while (i) mcu_putc(digits[--i]);
}
