/**
 * The power policy of downloads and flash work, all in one config object.
 *
 * Thresholds are battery levels in %, in this order (validatePowerPolicy enforces it):
 *
 *   startPercent > resumePercent > pausePercent > activatePercent
 *
 * - start: a new download (journal offset 0) begins only at or above it.
 * - resume: a paused or journalled download goes on at or above it. It sits between start
 *   and pause so that a device hovering near one level does not toggle every block.
 * - pause: a running download stops below it, after persisting its progress.
 * - activate: the floor for any destructive flash work: the first erase of the bank
 *   (approveErase) and activation (boot-record write, reboot, self-test). It is the lowest
 *   because a running download pauses long before reaching it, so the erases of a download
 *   always happen well above it; activation is short and bounded, and when it fails the
 *   bootloader reverts, so it only needs the energy of one reboot and self-test.
 * The hardware brown-out warning (Power.lowWarning) overrides every level: progress is
 * persisted at once and no request or flash work is started while it holds.
 *
 * Pacing (battery only; a mains device goes at the server's pace, MinimumBlockPeriod):
 * the gap between two block requests is the largest of
 * - the server's MinimumBlockPeriod (never faster),
 * - a low-battery stretch: 0 at or above fullPacePercent, growing linearly to
 *   lowBatteryIntervalMs at pausePercent,
 * - the airtime cap: one request/response exchange occupies
 *   (requestBytes + responseBytes + 2 × FRAME_OVERHEAD_BYTES) × 8 / 250 kbit/s of the
 *   2.4 GHz channel (FRAME_OVERHEAD_BYTES counts PHY, MAC, NWK, NWK security, APS and
 *   the MAC acknowledgement); the gap is at least that airtime ÷ airtimeShare, so the
 *   device's share of the channel never exceeds airtimeShare.
 */
import { OtaError } from '../errors.js';
import type { PowerSource } from '../ports.js';
import { AgentError } from './agent-errors.js';

export interface PowerPolicy {
  startPercent: number;
  resumePercent: number;
  pausePercent: number;
  activatePercent: number;
  /** Battery level at and above which no low-battery stretch applies. */
  fullPacePercent: number;
  /** Gap between block requests at the pause level (the stretch grows linearly towards it). */
  lowBatteryIntervalMs: number;
  /** Largest share of channel airtime a battery device's download may use (0 < share ≤ 1). */
  airtimeShare: number;
  /** How often a waiting or paused device looks at its battery again. */
  recheckMs: number;
  /** False turns every rule off (the control experiment: go as fast as the server allows, never pause). */
  enabled: boolean;
}

export const DEFAULT_POWER_POLICY: PowerPolicy = {
  startPercent: 60,
  resumePercent: 45,
  pausePercent: 30,
  activatePercent: 25,
  fullPacePercent: 80,
  lowBatteryIntervalMs: 5_000,
  airtimeShare: 0.02,
  recheckMs: 60_000,
  enabled: true,
};

/** Bytes each frame costs on air beyond its ZCL frame: PHY 6, MAC 11, NWK 8, NWK aux header 14, MIC 4, APS 8, MAC ACK 11. */
export const FRAME_OVERHEAD_BYTES = 62;
const CHANNEL_BITS_PER_MS = 250;

export function validatePowerPolicy(p: PowerPolicy): void {
  const ok =
    p.startPercent <= 100 &&
    p.startPercent > p.resumePercent &&
    p.resumePercent > p.pausePercent &&
    p.pausePercent > p.activatePercent &&
    p.activatePercent >= 0 &&
    p.fullPacePercent >= p.pausePercent &&
    p.airtimeShare > 0 &&
    p.airtimeShare <= 1 &&
    p.lowBatteryIntervalMs >= 0 &&
    p.recheckMs > 0;
  if (!ok)
    throw new OtaError(
      AgentError.powerPolicyOrder,
      'power policy must have 100 >= start > resume > pause > activate >= 0, fullPace >= pause, 0 < airtimeShare <= 1',
    );
}

export interface PowerReading {
  source: PowerSource;
  level: number;
  lowWarning: boolean;
}

export type PowerVerdict = 'go' | 'wait';

function battery(p: PowerPolicy, r: PowerReading): boolean {
  return p.enabled && r.source === 'battery';
}

/** May a download that has not written anything yet begin? */
export function mayStart(p: PowerPolicy, r: PowerReading): boolean {
  if (!battery(p, r)) return true;
  return !r.lowWarning && r.level >= p.startPercent;
}

/** May a paused or journalled download go on? */
export function mayResume(p: PowerPolicy, r: PowerReading): boolean {
  if (!battery(p, r)) return true;
  return !r.lowWarning && r.level >= p.resumePercent;
}

/** Must a running download pause now? */
export function mustPause(p: PowerPolicy, r: PowerReading): boolean {
  if (!battery(p, r)) return false;
  return r.lowWarning || r.level < p.pausePercent;
}

/** May the bank be erased, or an image activated? Even with the policy off, never under a brown-out warning. */
export function mayEraseOrActivate(p: PowerPolicy, r: PowerReading): boolean {
  if (r.lowWarning) return false;
  if (!battery(p, r)) return true;
  return r.level >= p.activatePercent;
}

/** Airtime of one request/response exchange in ms. */
export function exchangeAirtimeMs(requestBytes: number, responseBytes: number): number {
  return ((requestBytes + responseBytes + 2 * FRAME_OVERHEAD_BYTES) * 8) / CHANNEL_BITS_PER_MS;
}

/**
 * Smallest gap in ms between the starts of two block requests, given the server's
 * MinimumBlockPeriod and the sizes of one exchange.
 */
export function requestIntervalMs(
  p: PowerPolicy,
  r: PowerReading,
  minimumBlockPeriodMs: number,
  requestBytes: number,
  responseBytes: number,
): number {
  if (!battery(p, r)) return minimumBlockPeriodMs;
  let stretch = 0;
  if (r.level < p.fullPacePercent) {
    const span = Math.max(1, p.fullPacePercent - p.pausePercent);
    const depth = Math.min(1, (p.fullPacePercent - r.level) / span);
    stretch = depth * p.lowBatteryIntervalMs;
  }
  const airtimeGap = exchangeAirtimeMs(requestBytes, responseBytes) / p.airtimeShare;
  return Math.ceil(Math.max(minimumBlockPeriodMs, stretch, airtimeGap));
}
