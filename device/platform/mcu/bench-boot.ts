/** The boot rows every MCU entry reports first: reset to XS ready, reset to the entry running, RAM at idle. */
import { bootInstructions, collect, instructions } from 'mcu/native';
import { ramRow, row } from './report.js';

export function reportBoot(entered: number): void {
  row('phase', { phase: 'reset to XS machine ready', instructions: bootInstructions() });
  row('phase', { phase: 'reset to entry module running (imports done)', instructions: entered });
  collect();
  ramRow('idle: modules loaded, after a GC');
}

export { instructions };
