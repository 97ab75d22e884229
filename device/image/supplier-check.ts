/**
 * The GBCS authorisation: the supplier signature over the Manufacturer Image Hash must
 * verify against a Supplier anchor cell. On a split-supply site either cell may sign.
 * Each cell is checked for its role before its key is used (docs/PKI.md "Cells"): a cell
 * holding a keyAgreement certificate, another role's certificate, or (at a trusted time)
 * an expired one authorises nothing.
 */
import type { Bytes, WallTime } from '../ports.js';
import { OtaError, asOtaError } from '../errors.js';
import { type AnchorCell, type PkiCrypto, type TrustStore, PkiError } from '../pki/index.js';
import { ImageError } from './image-errors.js';
import type { ImagePki } from './image-pki.js';
import { rawSignatureVerifies } from './raw-signature.js';

export const SUPPLIER_CELLS: readonly AnchorCell[] = ['supplier1', 'supplier2'];

/**
 * Returns the cell whose key verifies `signature` over `imageHash`. When no cell does:
 * IMG_SUPPLIER_SIGNATURE if some cell was usable; else IMG_SUPPLIER_CELL (the first refused
 * cell's PKI_* code in the message) if a filled cell was refused; else IMG_NO_SUPPLIER_ANCHOR.
 * Image codes only, so the agent tells a refused image from a local failure as ever.
 */
export function checkSupplierSignature(
  imageHash: Bytes,
  signature: Bytes,
  trust: TrustStore,
  crypto: PkiCrypto,
  pki: ImagePki,
  now?: WallTime,
): AnchorCell {
  let usable = 0;
  let refusal: OtaError | undefined;
  for (const cell of SUPPLIER_CELLS) {
    const cert = trust.cells[cell];
    if (!cert) continue;
    let key: Bytes;
    try {
      key = pki.cellKey(cell, cert, now);
    } catch (e) {
      refusal ??= asOtaError(e, PkiError.internal);
      continue; // a refused cell is skipped; the other may still authorise
    }
    usable++;
    if (rawSignatureVerifies(crypto, imageHash, signature, key)) return cell;
  }
  if (usable > 0) {
    const also = refusal ? ` (and a cell was refused: ${refusal.message})` : '';
    throw new OtaError(
      ImageError.supplierSignature,
      `supplier signature verifies against no Supplier anchor cell${also}`,
    );
  }
  if (refusal)
    throw new OtaError(ImageError.supplierCell, `no Supplier cell may authorise an image (${refusal.message})`);
  throw new OtaError(ImageError.noSupplierAnchor, 'no Supplier anchor cell holds a certificate');
}
