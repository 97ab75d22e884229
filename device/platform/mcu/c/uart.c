/*
 * Console output on UART 0 (ARM CMSDK APB UART: DATA, STATE bit 0 = TX full, CTRL bit 0 =
 * TX enable). XS's trace() and the run's tables come out here; QEMU -nographic puts the
 * UART on its stdout.
 */
#include "board.h"
#include "mcu.h"

#define UART_DATA (*(volatile uint32_t *)(MCU_UART0_BASE + 0x000))
#define UART_STATE (*(volatile uint32_t *)(MCU_UART0_BASE + 0x004))
#define UART_CTRL (*(volatile uint32_t *)(MCU_UART0_BASE + 0x008))
#define UART_BAUDDIV (*(volatile uint32_t *)(MCU_UART0_BASE + 0x010))

void mcu_uart_init(void)
{
  UART_BAUDDIV = 16; /* the smallest divider the CMSDK UART accepts */
  UART_CTRL = 1;
}

void mcu_putc(char c)
{
  while (UART_STATE & 1)
    ;
  UART_DATA = (uint8_t)c;
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
