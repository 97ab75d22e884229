/*
 * Stand-in for pico-sdk's hardware/flash.h, included by the pico xsHost.h for XS mods
 * (apps installed into spare flash). This platform has no mods, so only the constants the
 * header names are given; the agent's flash is the mcu/host-file module.
 */
#ifndef MCU_HARDWARE_FLASH_STANDIN_H
#define MCU_HARDWARE_FLASH_STANDIN_H
#define XIP_BASE 0
#define FLASH_SECTOR_SIZE 4096
#endif
