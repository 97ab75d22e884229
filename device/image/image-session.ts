/**
 * One image download, verified as it streams: the API the agent and the CLI use.
 *
 *   push(chunk) ─▶ 'more' ... 'authenticated' (manifest, chain, IDs, version verified:
 *   the bank may now be erased) ─▶ push(rest) ... 'verified' (payload digest and
 *   supplier signature checked; `result` holds what activation needs).
 *
 * Resume after a power cut: push the stored prefix (it re-authenticates), then the
 * payload read back from the bank with `{ stored: true }`, then the rest as it arrives.
 */
import type { Bytes, WallTime } from '../ports.js';
import { OtaError, asOtaError } from '../errors.js';
import type { AnchorCell, PkiCrypto, TrustStore, VerifiedChain } from '../pki/index.js';
import { ImageError } from './image-errors.js';
import { devicePki, type ImagePki } from './image-pki.js';
import { DEFAULT_IMAGE_POLICY, type ImagePolicy } from './image-policy.js';
import { ImageStream, type PushOptions } from './image-stream.js';
import type { Manifest } from './manifest.js';
import { checkManifest, type DeviceIdentity } from './manifest-check.js';
import type { OtaHeader } from './ota-header.js';
import type { PayloadSink } from './payload-sink.js';
import { checkSupplierSignature } from './supplier-check.js';

export interface ImageSessionOptions {
  crypto: PkiCrypto;
  /** device/pki unless a test or a platform supplies another binding. */
  pki?: ImagePki;
  trust: TrustStore;
  device: DeviceIdentity;
  bankSize: number;
  sink?: PayloadSink;
  policy?: ImagePolicy;
  /** The device's wall time; certificate validity is checked only when it is trusted. */
  now?: WallTime;
}

export type SessionEvent = 'more' | 'authenticated' | 'verified';

export interface SessionPush {
  consumed: number;
  event: SessionEvent;
  fileOffset: number;
}

export interface VerifiedImage {
  header: OtaHeader;
  manifest: Manifest;
  /** SHA-256 of the Manufacturer Image: what an explicit activation command names. */
  manufacturerImageHash: Bytes;
  /** The Supplier cell that authorised it; undefined only when the policy lets a trailer be absent. */
  supplierCell: AnchorCell | undefined;
  /** False when certificate validity was not checked (no trusted wall time). */
  timeChecked: boolean;
  /** Header .. payload element head: the metadata record's copy. */
  prefix: Bytes;
  /** The 66-byte GBCS trailer (or undefined): kept beside the prefix to verify the stored image again. */
  trailer: Bytes | undefined;
  payloadLength: number;
}

export class ImageSession {
  private readonly stream: ImageStream;
  private readonly opts: ImageSessionOptions;
  private readonly policy: ImagePolicy;
  private chain: VerifiedChain | undefined;
  private verified: VerifiedImage | undefined;

  constructor(options: ImageSessionOptions) {
    this.opts = options;
    this.policy = options.policy ?? DEFAULT_IMAGE_POLICY;
    this.stream = new ImageStream({ sha256: options.crypto.sha256, bankSize: options.bankSize, sink: options.sink });
  }

  get fileOffset(): number {
    return this.stream.fileOffset;
  }

  /** True once the manifest is verified: payload bytes are now accepted. */
  get authenticated(): boolean {
    return this.chain !== undefined;
  }

  get header(): OtaHeader | undefined {
    return this.stream.header;
  }

  /** The verified manifest, from 'authenticated' on (e.g. to check a refused digest before erasing). */
  get manifest(): Manifest | undefined {
    return this.chain ? this.stream.manifest : undefined;
  }

  /** Set at 'verified'. */
  get result(): VerifiedImage | undefined {
    return this.verified;
  }

  /** Prefix bytes for the metadata record (complete once authenticated). */
  prefix(): Bytes {
    return this.stream.prefix();
  }

  /**
   * Takes the next bytes of the file. Returns early at 'authenticated' (consumed may be
   * less than given: push the rest after preparing the bank). Throws OtaError only.
   */
  push(bytes: Bytes, options?: PushOptions): SessionPush {
    try {
      const r = this.stream.push(bytes, options);
      if (r.event === 'manifest-ready') {
        this.authenticate();
        return { consumed: r.consumed, event: 'authenticated', fileOffset: r.fileOffset };
      }
      if (r.event === 'complete') {
        if (!this.verified) this.authorise();
        return { consumed: r.consumed, event: 'verified', fileOffset: r.fileOffset };
      }
      // 'more': the stream's answer as it is (the same fields and word), not a copy per block.
      return r as SessionPush;
    } catch (e) {
      throw this.refuse(e);
    }
  }

  /** The input has ended: returns the verified image or throws (IMG_TRUNCATED, ...). */
  finish(): VerifiedImage {
    try {
      this.stream.finish();
      if (!this.verified) throw new OtaError(ImageError.state, 'image complete but not verified');
      return this.verified;
    } catch (e) {
      throw this.refuse(e);
    }
  }

  private authenticate(): void {
    const s = this.stream;
    this.chain = checkManifest(
      {
        header: s.header!,
        manifest: s.manifest!,
        manifestBytes: s.manifestBytes!,
        signature: s.manufacturerSignature!,
        chainBytes: s.chainBytes!,
        hasTrailer: s.hasTrailer,
      },
      {
        device: this.opts.device,
        trust: this.opts.trust,
        crypto: this.opts.crypto,
        pki: this.opts.pki ?? devicePki,
        policy: this.policy,
        now: this.opts.now,
      },
    );
    s.approve();
    // An empty payload completes at approval.
    if (s.status === 'complete') this.authorise();
  }

  private authorise(): void {
    const s = this.stream;
    if (!this.chain) throw new OtaError(ImageError.state, 'complete without authentication');
    const signature = s.supplierSignature;
    let supplierCell: AnchorCell | undefined;
    if (signature) {
      const pki = this.opts.pki ?? devicePki;
      supplierCell = checkSupplierSignature(
        s.manufacturerImageHash!,
        signature,
        this.opts.trust,
        this.opts.crypto,
        pki,
        this.opts.now,
      );
    } else if (this.policy.supplierSignatureRequired) {
      throw new OtaError(ImageError.supplierSignatureMissing, 'no GBCS trailer: a supplier signature is required');
    }
    this.verified = {
      header: s.header!,
      manifest: s.manifest!,
      manufacturerImageHash: s.manufacturerImageHash!,
      supplierCell,
      timeChecked: this.chain.timeChecked,
      prefix: s.prefix(),
      trailer: s.trailer,
      payloadLength: s.payloadLength,
    };
  }

  private refuse(e: unknown): OtaError {
    const err = asOtaError(e, ImageError.internal);
    if (this.stream.status !== 'failed') {
      try {
        this.stream.fail(err);
      } catch {
        // fail() always throws the error it records
      }
    }
    return err;
  }
}

/** Verifies a whole image held in memory (tools, tests). Throws OtaError only. */
export function verifyImage(file: Bytes, options: ImageSessionOptions): VerifiedImage {
  const session = new ImageSession(options);
  let o = 0;
  while (o < file.length) {
    const r = session.push(file.subarray(o));
    if (r.consumed === 0 && r.event !== 'authenticated') break;
    o += r.consumed;
  }
  return session.finish();
}
