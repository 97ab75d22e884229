/**
 * Where the OTA client puts the bytes it downloads: the boundary between the radio side
 * (device/agent/ota-client) and the trust and storage side (streaming parser/verifier,
 * bank writer, journal).
 *
 * The client downloads strictly in order from the offset `begin` returns, so the image's
 * header, manifest and manufacturer signature reach the sink before any payload byte. The
 * sink must not erase or write the bank before it has verified the manifest: when it has,
 * and its next step would be the first erase, it answers `need-approval` and takes nothing;
 * the client calls `approveErase()` once its power policy allows flash work, then offers
 * the same bytes again. A refusal carries the Upgrade End status the client sends to the
 * server (INVALID_IMAGE for an image that does not verify, ABORT for a local failure).
 *
 * Every method may throw (a port under it failed): the client aborts the download with
 * ABORT, reporting the thrown OtaError's code (or SINK_FAILED for anything untyped), and
 * the next offer of the same image resumes from the sink's progress; the sink must leave
 * its persisted progress consistent (at most the blocks since its last record are lost).
 */
import type { OtaError } from '../errors.js';
import type { Bytes } from '../ports.js';

/** What the server offered, as the Query Next Image Response named it. */
export interface ImageIdentity {
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
  /** Total OTA file size (header included), the download's length. */
  imageSize: number;
}

export type SinkWriteResult =
  | { kind: 'ok' }
  /** Manifest verified; the next step erases flash. Nothing of these bytes was taken. */
  | { kind: 'need-approval' }
  /** The image is refused; `status` is the Upgrade End status to send (0x96 INVALID_IMAGE, 0x95 ABORT). */
  | { kind: 'refused'; error: OtaError; status: number };

export type SinkEndResult = { kind: 'ok' } | { kind: 'refused'; error: OtaError; status: number };

export interface ImageSink {
  /** The largest OTA file this device can take (bank size plus the metadata it keeps). */
  capacity(): number;
  /**
   * Starts (or resumes) receiving `image`. Returns the file offset to continue from: the
   * persisted progress when the same image was being received before (the sink re-checks
   * what its bank already holds, e.g. re-hashes it), else 0 after forgetting any other
   * image's progress. Must not erase anything.
   */
  begin(image: ImageIdentity): number;
  /** Takes the next bytes, at exactly the offset it is owed (the client never skips or repeats). */
  write(fileOffset: number, bytes: Bytes): SinkWriteResult;
  /** Allows the erase that `need-approval` announced. */
  approveErase(): void;
  /** Persists progress now (a brown-out warning, a pause). */
  persist(): void;
  /** All `imageSize` bytes were written: final checks (payload digest, supplier signature). */
  end(): SinkEndResult;
}
