/**
 * Every hardware boundary of the agent, one interface each.
 *
 * A platform (device/platform/moddable/ on XS, sim/ in the emulator)
 * implements these; nothing else in device/ touches hardware. Each comment is meant to be
 * enough to implement the port from.
 *
 * Failure rule for every method: a port may throw. The agent catches the throw, treats
 * the operation as failed (it never assumes a failed write or erase did nothing: the
 * region is treated as unknown), and turns it into a typed error it can report. A power
 * cut is not a failure: it ends the program. In the emulator a cut makes every later call
 * of that device instance throw, so the agent can make no further progress, and the
 * harness discards the instance and boots a new one over the same flash.
 */
import type { OtaErrorCode } from './errors.js';

/** Bytes in, bytes out. All multi-byte integers on the wire and in flash are little-endian. */
export type Bytes = Uint8Array;

// ---------------------------------------------------------------------------------------
// Flash

/**
 * A NOR-flash region the agent owns: both image banks, their metadata records, the
 * boot-control record and the journal, addressed from 0.
 *
 * NOR semantics the agent relies on, and never more:
 * - `erase(sector)` sets every byte of that sector to `erasedValue`.
 * - `program(offset, data)` may only be called on bytes that currently read as
 *   `erasedValue`; `offset` and `data.length` are multiples of `writeAlign`. Programming
 *   moves bits away from the erased value only (0xFF-erased parts clear bits; 0x00-erased
 *   parts set bits).
 * - An interrupted program or erase may leave any mix of old and new bits in the bytes it
 *   was touching; bytes it was not touching are unchanged.
 * - Reads return what is stored; they never fail silently (throw instead).
 */
export interface Flash {
  /** Total bytes, a multiple of `sectorSize`. */
  readonly size: number;
  /** Erase granularity in bytes (4096 on ESP32 and most EFR32 parts). */
  readonly sectorSize: number;
  /** Program granularity in bytes: offsets and lengths of `program` are multiples of it (1, 2, 4, 8 or 16). */
  readonly writeAlign: number;
  /** Value of an erased byte: 0xFF for most NOR parts, 0x00 for some internal flash. */
  readonly erasedValue: 0xff | 0x00;
  /** Copies `into.length` bytes starting at `offset` into `into`. */
  read(offset: number, into: Bytes): void;
  /** Erases the sector with index `sector` (byte offset `sector * sectorSize`). */
  erase(sector: number): void;
  /** Programs `data` at `offset` (aligned, onto erased bytes only). */
  program(offset: number, data: Bytes): void;
}

// ---------------------------------------------------------------------------------------
// Boot control

/**
 * What the running firmware needs from its bootloader. The boot-control record itself
 * lives in `Flash` and is read and written by device/storage (docs/BOOT.md is the
 * contract a vendor's bootloader implements); this port only tells the agent what the
 * bootloader decided for this boot, and restarts the device.
 */
export interface BootControl {
  /** The bank (0 or 1) the bootloader started this time. */
  runningBank(): number;
  /**
   * Restart the device so the bootloader reads the boot-control record again. On
   * hardware this does not return; in the emulator it ends the instance.
   */
  restart(): void;
}

// ---------------------------------------------------------------------------------------
// Power

export type PowerSource = 'mains' | 'battery';

/**
 * The supply as the agent must respect it. A mains device returns `'mains'`, level 100
 * and never warns.
 */
export interface Power {
  source(): PowerSource;
  /** Remaining charge, 0..100 %. A fuel gauge or a calibrated voltage divider. */
  level(): number;
  /**
   * True while the supply warns of an imminent brown-out (a comparator interrupt latched
   * by the platform, or the level under the vendor's hardware limit). The agent persists
   * its progress at once and stops flash work while this is true.
   */
  lowWarning(): boolean;
}

// ---------------------------------------------------------------------------------------
// Clock

/** Wall time in seconds since 1970-01-01T00:00:00Z (UTC), and whether it can be trusted. */
export interface WallTime {
  unixSeconds: number;
  /**
   * True only when the time was set by an authenticated source (e.g. a GBCS-signed time
   * sync). Times carried in OTA frames never make it trusted.
   */
  trusted: boolean;
}

export type TimerHandle = number;

export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards; survives no reboot. */
  monotonicMs(): number;
  /** The wall clock, or `undefined` when the device has none set. */
  wallTime(): WallTime | undefined;
  /** Calls `callback` once after `ms` milliseconds (timers due at the same time fire in the order set). */
  setTimer(ms: number, callback: () => void): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimer(handle: TimerHandle): void;
}

// ---------------------------------------------------------------------------------------
// OTA transport

/**
 * The Zigbee link to the OTA server (the Communications Hub) for cluster 0x0019 on the
 * agent's endpoint. Frames are complete ZCL frames (ZCL header + payload), bytes in and
 * bytes out; addressing, APS security and retries below ZCL are the platform's.
 */
export interface OtaTransport {
  /** Queues one ZCL frame to the server. Throws when the stack refuses it (not joined, queue full). */
  send(frame: Bytes): void;
  /** Registers the single receiver of ZCL frames from the server for this cluster. */
  onReceive(handler: (frame: Bytes) => void): void;
}

// ---------------------------------------------------------------------------------------
// Activation

/** An explicit activation command (GBCS CS06 / SR 11.3 for a PPMID-like device). */
export interface ActivationCommand {
  /** The Manufacturer Image Hash the command names: SHA-256 of the Manufacturer Image. */
  imageHash: Bytes;
  /** When to activate, as wall-time seconds; `undefined` means now. */
  atUnixSeconds?: number;
}

/** CS06 activation response codes. */
export const ActivationResponse = {
  success: 0,
  noImageHeld: 1,
  hashMismatch: 2,
  activationFailure: 3,
} as const;
export type ActivationResponseCode = (typeof ActivationResponse)[keyof typeof ActivationResponse];

export interface Activation {
  /**
   * Registers the single handler of activation commands. The handler answers at once with
   * a CS06 code; the platform sends that code back to the requester.
   */
  onCommand(handler: (command: ActivationCommand) => ActivationResponseCode): void;
}

// ---------------------------------------------------------------------------------------
// Credentials

/**
 * Credential replacement commands (modelled on GBCS CS02b "Update Security Credentials";
 * the bytes are device/pki/credential-command.ts's encoding, however the platform's
 * channel carried them). Optional: a device without this port takes no replacement.
 */
export interface CredentialCommands {
  /**
   * Registers the single handler. It answers at once with a CS02b code (0 success,
   * 5 bad certificate, 10 no trust anchor, 17 insufficient memory, 25 trust anchor not
   * found, 30 resources busy, 127 other) that the platform sends back to the requester.
   */
  onCommand(handler: (command: Bytes) => number): void;
}

// ---------------------------------------------------------------------------------------
// Reporting

/**
 * What the suppliers see. The platform maps each report onto its own messages (GBCS
 * alerts and responses through the CH, or a vendor channel). docs/REPORTS.md gives the
 * encodings.
 */
export type Report =
  /** CS08 read-out: the running firmware version, 4 bytes big-endian as an octet string. */
  | { kind: 'firmware-version'; version: number }
  /** CS09 activation alert after every activation attempt. */
  | { kind: 'activation'; success: boolean; version: number; atUnixSeconds?: number }
  /** An image was refused or the running image failed its check; `alertCode` is GBCS (0x8F1B, 0x8F1C, 0x8F72). */
  | { kind: 'verification'; alertCode: number; errorCode: OtaErrorCode | 'OK' }
  /** The OTA client attribute ImageUpgradeStatus changed. */
  | { kind: 'upgrade-status'; status: number }
  /** Activation was held back (e.g. battery below the activation level). */
  | { kind: 'activation-deferred'; reason: string }
  /**
   * Every credential replacement attempt: the cell and authority the command named
   * ('unknown' when it did not decode that far), the CS02b answer, the agent's code
   * ('OK' on success) and the counter now in force.
   */
  | {
      kind: 'credential-update';
      cell: string;
      authority: string;
      responseCode: number;
      errorCode: string;
      counter: number;
    };

export interface Reporter {
  /** Hands one report to the platform. May throw (queue full); the agent then drops it and goes on. */
  report(report: Report): void;
}

// ---------------------------------------------------------------------------------------
// Crypto

/** An incremental SHA-256 (FIPS 180-4). */
export interface Sha256Context {
  update(data: Bytes): void;
  /** Returns the 32-byte digest; the context must not be used afterwards. */
  digest(): Bytes;
}

export interface Sha256 {
  create(): Sha256Context;
}

export type SignatureFormat = 'der' | 'raw';

/**
 * ECDSA P-256 verification of a precomputed SHA-256 digest.
 * - `signature`: DER ECDSA-Sig-Value (`'der'`) or 64-byte r‖s (`'raw'`).
 * - `publicKey`: SEC1 uncompressed point, 65 bytes starting 0x04.
 * - High-S signatures are valid (no low-S rule: OpenSSL signs high-S half the time).
 * Returns false for anything malformed. Never throws.
 */
export interface P256Verifier {
  verify(digest: Bytes, signature: Bytes, publicKey: Bytes, format: SignatureFormat): boolean;
}

// ---------------------------------------------------------------------------------------

/** All ports of one device instance. */
export interface Ports {
  flash: Flash;
  boot: BootControl;
  power: Power;
  clock: Clock;
  transport: OtaTransport;
  activation: Activation;
  reporter: Reporter;
  sha256: Sha256;
  p256: P256Verifier;
  credentials?: CredentialCommands;
}
