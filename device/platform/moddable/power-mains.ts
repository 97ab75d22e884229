/** Power port of a mains-powered device: always mains, always full, never warns. */
import type { Power } from '../../ports.js';

export const mainsPower: Power = {
  source: () => 'mains',
  level: () => 100,
  lowWarning: () => false,
};
