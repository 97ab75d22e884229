# The RV32 board (QEMU virt, rv32imac, ilp32), included by the Makefile for BOARD=rv32:
# Debian's gcc-riscv64-unknown-elf with picolibc-riscv64-unknown-elf (its rv32imac/ilp32
# multilib), the core's own reset, UART and clock from c/rv32/, and c/rv32/arm-asm.h forced
# into every file so the SDK's pico headers' Cortex-M critical section assembles. ISA spec 2.2:
# rv32imac then includes the CSR instructions (Zicsr) the platform layer reads counters with.
CC := riscv64-unknown-elf-gcc
SIZE := riscv64-unknown-elf-size
CPU_FLAGS := -march=rv32imac -mabi=ilp32 -misa-spec=2.2 -mcmodel=medany --specs=picolibc.specs
BOARD_DEFINE := -DMCU_BOARD_RV32 -include $(HERE)c/rv32/arm-asm.h
LIBC_FLAGS :=
RV32_SOURCES := rv32/startup rv32/uart rv32/clock rv32/libc rv32/link-none
