/**
 * The GBCS authorisation: the supplier signature over the Manufacturer Image Hash must
 * verify against a Supplier anchor cell. On a split-supply site either cell may sign.
 */
import type { Bytes } from '../ports.js';
import { OtaError } from '../errors.js';
import type { AnchorCell, PkiCrypto, TrustStore } from '../pki/api.js';
import { ImageError } from './image-errors.js';
import type { ImagePki } from './image-pki.js';
import { rawSignatureVerifies } from './raw-signature.js';

export const SUPPLIER_CELLS: readonly AnchorCell[] = ['supplier1', 'supplier2'];

/** Returns the cell whose key verifies `signature` over `imageHash`. */
export function checkSupplierSignature(imageHash: Bytes, signature: Bytes, trust: TrustStore, crypto: PkiCrypto, pki: ImagePki): AnchorCell {
  let usable = 0;
  for (const cell of SUPPLIER_CELLS) {
    const cert = trust.cells[cell];
    if (!cert) continue;
    let key: Bytes;
    try {
      key = pki.certificatePublicKey(cert);
    } catch {
      continue; // a broken cell is skipped; the other may still authorise
    }
    usable++;
    if (rawSignatureVerifies(crypto, imageHash, signature, key)) return cell;
  }
  if (usable === 0) throw new OtaError(ImageError.noSupplierAnchor, 'no Supplier anchor cell holds a usable key');
  throw new OtaError(ImageError.supplierSignature, 'supplier signature verifies against no Supplier anchor cell');
}
