/*
 * The MCU platform's readings and exit (C in ../c/native.c). Only the MCU image has this
 * module; the benchmark and the update run import it by name.
 */
function instructions() @ "xs_mcu_instructions";
function bootInstructions() @ "xs_mcu_boot_instructions";
function memory() @ "xs_mcu_memory";
function resetPeaks() @ "xs_mcu_reset_peaks";
function collect() @ "xs_mcu_collect";
function exit(code) @ "xs_mcu_exit";
function commandLine() @ "xs_mcu_command_line";

export { instructions, bootInstructions, memory, resetPeaks, collect, exit, commandLine };
