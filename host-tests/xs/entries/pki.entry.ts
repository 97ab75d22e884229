/** XS-lane cases for device/pki: path validation and the trust store codec, inside XS. */
import { nobleP256 } from '../../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import type { CertProfile } from '../../../device/pki/api.js';
import type { WallTime } from '../../../device/ports.js';
import {
  certificateKey,
  checkCell,
  decodeTrustStore,
  encodeTrustStore,
  verifyChain,
  type CellKind,
} from '../../../device/pki/index.js';
import { fromHex, toHex } from '../../../device/util/bytes.js';
import { serve } from './serve.js';

const crypto = { sha256: nobleSha256, p256: nobleP256 };

serve({
  verifyChain: (args: { chain: string[]; anchors: string[]; profile: CertProfile; now?: WallTime }) => {
    try {
      const r = verifyChain(args.chain.map(fromHex), args.anchors.map(fromHex), {
        profile: args.profile,
        crypto,
        ...(args.now ? { now: args.now } : {}),
      });
      return {
        ok: true,
        leafPublicKey: toHex(r.leafPublicKey),
        anchorIndex: r.anchorIndex,
        timeChecked: r.timeChecked,
        ...(r.leafRole !== undefined ? { leafRole: r.leafRole } : {}),
        ...(r.leafEntityId ? { leafEntityId: toHex(r.leafEntityId) } : {}),
      };
    } catch (e) {
      const err = e as { name?: string; code?: string };
      return { ok: false, typed: err.name === 'OtaError', code: err.code ?? String(e) };
    }
  },

  checkCell: (args: { cell: CellKind; der: string; now?: WallTime }) => {
    try {
      const cert = checkCell(args.cell, fromHex(args.der), args.now);
      return { ok: true, publicKey: toHex(cert.publicKey) };
    } catch (e) {
      const err = e as { name?: string; code?: string };
      return { ok: false, typed: err.name === 'OtaError', code: err.code ?? String(e) };
    }
  },

  trustStoreRoundTrip: (args: { store: string }) => {
    const store = decodeTrustStore(fromHex(args.store));
    const supplier1 = store.cells.supplier1 ? certificateKey(store.cells.supplier1) : undefined;
    return {
      again: toHex(encodeTrustStore(store)),
      supplier1Role: supplier1?.role,
      supplier1Key: supplier1 ? toHex(supplier1.publicKey) : undefined,
    };
  },
});
