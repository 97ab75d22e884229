/**
 * The OTA client's configuration and its defaults (docs/OTA-CLIENT.md, "Timers and
 * retries"); client-config-check.ts checks every value's range.
 */
export interface OtaClientConfig {
  manufacturerCode: number;
  imageType: number;
  currentFileVersion: number;
  /** Sent in Query Next Image when set, so the server can pick an image for this hardware. */
  hardwareVersion?: number;
  /** Largest OTA file the sink can take. */
  capacity: number;
  /** Maximum data size asked per Image Block Request (1..255; small keeps one frame unfragmented). */
  maxDataSize: number;
  /** Period of Query Next Image when nothing else happens. */
  queryIntervalMs: number;
  /** Longest random delay before the query that an Image Notify triggers (spreads the HAN's answers). */
  notifyDelayMaxMs: number;
  /** How long to wait for any response. Must exceed the link's round trip. */
  responseTimeoutMs: number;
  /** First retry delay after an error; doubles with each consecutive error up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Consecutive errors (timeouts, malformed or wrong answers) after which the client gives up. */
  maxErrors: number;
  /** Consecutive WAIT_FOR_DATA answers without progress after which the client gives up. */
  maxWaitForData: number;
  /** Longest wait a server may impose in one WAIT_FOR_DATA (a hostile value is clamped). */
  maxServerWaitMs: number;
}

export const DEFAULT_CLIENT_TIMING = {
  maxDataSize: 64,
  queryIntervalMs: 5 * 60_000,
  notifyDelayMaxMs: 10_000,
  responseTimeoutMs: 5_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  maxErrors: 10,
  maxWaitForData: 20,
  maxServerWaitMs: 60 * 60_000,
} as const;
