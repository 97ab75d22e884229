/*
 * NOR flash in a host file over semihosting (C in ../c/host-flash.c). Sector 4096 bytes,
 * program alignment 4, erased value 0xFF: the figures device/platform/mcu/host-flash.ts
 * reports to the agent.
 */
function open(path, writable) @ "xs_hostflash_open";
function length(handle) @ "xs_hostflash_length";
function read(handle, offset, view) @ "xs_hostflash_read";
function program(handle, offset, view) @ "xs_hostflash_program";
function erase(handle, sector) @ "xs_hostflash_erase";
function close(handle) @ "xs_hostflash_close";
function operations() @ "xs_hostflash_operations";

export { open, length, read, program, erase, close, operations };
