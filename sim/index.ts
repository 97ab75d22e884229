/** sim's public surface: other folders and tools import from here only. */
export { PowerRail } from './power-rail.js';
export { linkOptions } from './radio-link.js';
export { Rng } from './rng.js';
export { DEFAULT_BATTERY } from './sim-battery.js';
export { FLASH_PROFILES, FlashMedia, type FlashOpRecord, NOR_FF_ALIGN4, type SimFlash } from './sim-flash.js';
export {
  type WorldEvent,
  type WorldOptions,
  type WorldResult,
  runUpdateWorld,
  traceUpdateWorld,
} from './update-world.js';
export { servedImage } from './ota-server.js';
export { manufacturerImageHash } from './update-world.js';
export type { World } from './world.js';
export { bootloader, emulatedCh, type FactoryPart, provisionPart } from './world-parts.js';
