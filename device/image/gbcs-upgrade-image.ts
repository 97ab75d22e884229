/**
 * The GBCS Upgrade Image as every GB device receives it, whatever its manufacturer puts
 * inside (docs/FORMAT.md "GBCS Upgrade Image"):
 *
 *   OTA header (header length bytes) ‖ Manufacturer Image ‖ 00 40 ‖ supplier signature (64)
 *   └──────────────────────── total image size T ───────────────────────────────────────┘
 *
 * The trailer is always the last 66 bytes (it starts at T − 66); the Manufacturer Image is
 * [header length, T − 66), opaque to the CH and to other vendors; the supplier signature is
 * ECDSA P-256 / SHA-256, raw r‖s, over the Manufacturer Image alone, and its SHA-256 is the
 * Manufacturer Image Hash an Activate Firmware command (CS06) names. Sources: GBCS 11.2.2–
 * 11.2.4 as built by HenryGiraldo/gbcs `create_ota_upgrade_image`, and the DCC's RTDS test
 * vector (SmartDCCInnovation/duis-templates 11.1, a 361-byte image: 60 + 235 + 2 + 64).
 *
 * These functions read an image held whole in memory (tools, tests); the device's own
 * streaming path (image-stream.ts) reaches the same range and hash for althan-ota's layout.
 */
import type { Bytes, WallTime } from '../ports.js';
import { OtaError, asOtaError } from '../errors.js';
import type { AnchorCell, PkiCrypto, TrustStore } from '../pki/index.js';
import { ImageError } from './image-errors.js';
import { TRAILER_LENGTH, TRAILER_MARKER } from './image-format.js';
import { devicePki, type ImagePki } from './image-pki.js';
import { parseOtaHeader } from './ota-header.js';
import { checkSupplierSignature } from './supplier-check.js';

export interface GbcsLayout {
  headerLength: number;
  totalImageSize: number;
  /** [offset, offset + length): what the supplier signed. */
  manufacturerImage: { offset: number; length: number };
  /** Offset of `00 40` (T − 66). */
  trailerOffset: number;
  /** The 64-byte r‖s supplier signature (a view into the file). */
  supplierSignature: Bytes;
}

/**
 * The layout of a GBCS Upgrade Image whose OTA header starts at byte 0 of `file`. Throws
 * OtaError: IMG_* header codes, IMG_TOTAL_SIZE when the header's total size is not the
 * file's length or leaves no Manufacturer Image, IMG_TRAILER when T − 66 does not hold `00 40`.
 */
export function gbcsLayout(file: Bytes): GbcsLayout {
  const header = parseOtaHeader(file);
  const total = header.totalImageSize;
  if (total !== file.length)
    throw new OtaError(ImageError.totalSize, `total image size ${total} is not the file's ${file.length} bytes`);
  const trailerOffset = total - TRAILER_LENGTH;
  if (trailerOffset <= header.headerLength) {
    throw new OtaError(
      ImageError.totalSize,
      `total image size ${total} leaves no Manufacturer Image before a GBCS trailer`,
    );
  }
  if (file[trailerOffset] !== TRAILER_MARKER[0] || file[trailerOffset + 1] !== TRAILER_MARKER[1]) {
    throw new OtaError(ImageError.trailer, `no GBCS trailer: the bytes at T-66 (${trailerOffset}) are not 00 40`);
  }
  return {
    headerLength: header.headerLength,
    totalImageSize: total,
    manufacturerImage: { offset: header.headerLength, length: trailerOffset - header.headerLength },
    trailerOffset,
    supplierSignature: file.subarray(trailerOffset + 2, total),
  };
}

export interface SupplierAuthorisation {
  layout: GbcsLayout;
  /** SHA-256 of the Manufacturer Image: the CS06 hash. */
  manufacturerImageHash: Bytes;
  /** The Supplier cell whose key verifies the signature. */
  supplierCell: AnchorCell;
}

/**
 * Checks the supplier signature of any GBCS Upgrade Image against the Supplier cells alone
 * (each cell checked for its role, and its validity at a trusted `now`), without reading
 * the Manufacturer Image. Throws OtaError only: the layout codes above, then
 * IMG_SUPPLIER_SIGNATURE, IMG_NO_SUPPLIER_ANCHOR or a cell's PKI_* refusal.
 */
export function verifySupplierOnly(
  file: Bytes,
  trust: TrustStore,
  crypto: PkiCrypto,
  now?: WallTime,
  pki: ImagePki = devicePki,
): SupplierAuthorisation {
  try {
    const layout = gbcsLayout(file);
    const h = crypto.sha256.create();
    h.update(file.subarray(layout.manufacturerImage.offset, layout.trailerOffset));
    const manufacturerImageHash = h.digest();
    const supplierCell = checkSupplierSignature(
      manufacturerImageHash,
      layout.supplierSignature,
      trust,
      crypto,
      pki,
      now,
    );
    return { layout, manufacturerImageHash, supplierCell };
  } catch (e) {
    throw asOtaError(e, ImageError.internal);
  }
}
