/*
 * The link to the supervisor over the board's second UART (C in ../c/link-uart.c): whole
 * link-protocol messages in, bytes out. Only the MCU image has this module.
 */
function open(onReceived) @ "xs_linkuart_open";
function write(view) @ "xs_linkuart_write";
function close() @ "xs_linkuart_close";

export { open, write, close };
