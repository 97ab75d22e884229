/**
 * The XS lane for device/pki: the test PKI's supplier chain (SMKI) and manufacturer chain
 * (RFC 5280) validate inside the real XS engine with the same results as on Node, a
 * tampered chain is refused with a typed code, and the trust store codec round-trips.
 * Prints XS meter figures for each case.
 */
import { describe, expect, it } from 'vitest';
import { encodeTrustStore, verifyChain } from '../../device/pki/index.js';
import { toHex } from '../../device/util/bytes.js';
import { createTestPki } from '../../tools/pki/index.js';
import { crypto } from '../pki/crypto.js';
import { xsLane } from './xs-lane.js';

const lane = xsLane('host-tests/xs/entries/pki.entry.ts', 'pki ');
const pki = createTestPki();

interface ChainResult {
  ok: boolean;
  typed?: boolean;
  code?: string;
  leafPublicKey?: string;
  anchorIndex?: number;
  timeChecked?: boolean;
  leafRole?: number;
  leafEntityId?: string;
}

const run = <T>(label: string, name: string, args: unknown) => lane.run<T>(name, args, label);

describe('device/pki on the XS engine', () => {
  it('the supplier chain validates under SMKI, same result as on Node', async () => {
    const chain = [pki.supplier1.der, pki.orgCa.der];
    const r = await run<ChainResult>('supplier chain (smki, 2 signatures)', 'verifyChain', {
      chain: chain.map(toHex),
      anchors: [toHex(pki.smkiRoot.der)],
      profile: 'smki',
      now: { unixSeconds: Date.UTC(2030, 0, 1) / 1000, trusted: true },
    });
    const node = verifyChain(chain, [pki.smkiRoot.der], {
      profile: 'smki',
      crypto,
      now: { unixSeconds: Date.UTC(2030, 0, 1) / 1000, trusted: true },
    });
    expect(r).toEqual({
      ok: true,
      leafPublicKey: toHex(node.leafPublicKey),
      anchorIndex: 0,
      timeChecked: true,
      leafRole: 2,
      leafEntityId: toHex(node.leafEntityId!),
    });
  });

  it('the manufacturer chain validates under RFC 5280, the right anchor among two', async () => {
    const r = await run<ChainResult>('manufacturer chain (rfc5280, 1 signature)', 'verifyChain', {
      chain: [toHex(pki.manufacturerSigner.der)],
      anchors: [toHex(pki.smkiRoot.der), toHex(pki.manufacturerRoot.der)],
      profile: 'rfc5280',
    });
    expect(r).toEqual({
      ok: true,
      leafPublicKey: toHex(pki.manufacturerSigner.publicKey),
      anchorIndex: 1,
      timeChecked: false,
    });
  });

  it('cells are checked for their role and validity inside XS, as on Node', async () => {
    const ok = await run<ChainResult & { publicKey?: string }>('cell check (supplier1)', 'checkCell', {
      cell: 'supplier1',
      der: toHex(pki.supplier1.der),
    });
    expect(ok).toEqual({ ok: true, publicKey: toHex(pki.supplier1.publicKey) });
    const wrongCell = await run<ChainResult>('cell check (root cell given a supplier)', 'checkCell', {
      cell: 'root',
      der: toHex(pki.supplier1.der),
    });
    expect(wrongCell).toEqual({ ok: false, typed: true, code: 'PKI_PROFILE_SMKI_KEY_USAGE' });
    const expired = await run<ChainResult>('cell check (expired)', 'checkCell', {
      cell: 'supplier2',
      der: toHex(pki.supplier2.der),
      now: { unixSeconds: Date.UTC(2050, 0, 1) / 1000, trusted: true },
    });
    expect(expired).toEqual({ ok: false, typed: true, code: 'PKI_EXPIRED' });
  });

  it('a tampered supplier certificate is refused with PKI_SIGNATURE_INVALID, typed', async () => {
    const bad = pki.supplier1.der.slice();
    bad[16] ^= 0x01; // inside the serial number: still well formed, no longer what was signed
    const r = await run<ChainResult>('tampered supplier chain', 'verifyChain', {
      chain: [toHex(bad), toHex(pki.orgCa.der)],
      anchors: [toHex(pki.smkiRoot.der)],
      profile: 'smki',
    });
    expect(r).toEqual({ ok: false, typed: true, code: 'PKI_SIGNATURE_INVALID' });
  });

  it('a truncated certificate and an expired chain are refused with their codes, typed', async () => {
    const cut = await run<ChainResult>('truncated certificate', 'verifyChain', {
      chain: [toHex(pki.supplier1.der.subarray(0, 100))],
      anchors: [toHex(pki.smkiRoot.der)],
      profile: 'smki',
    });
    expect(cut).toEqual({ ok: false, typed: true, code: 'PKI_DER_TRUNCATED' });
    const late = await run<ChainResult>('expired chain', 'verifyChain', {
      chain: [toHex(pki.manufacturerSigner.der)],
      anchors: [toHex(pki.manufacturerRoot.der)],
      profile: 'rfc5280',
      now: { unixSeconds: Date.UTC(2051, 0, 1) / 1000, trusted: true },
    });
    expect(late).toEqual({ ok: false, typed: true, code: 'PKI_EXPIRED' });
  });

  it('the trust store decodes and re-encodes byte for byte; a supplier cell gives its key and role', async () => {
    const bytes = toHex(encodeTrustStore(pki.trustStore));
    const r = await run<{ again: string; supplier1Role: number; supplier1Key: string }>(
      'trust store round trip',
      'trustStoreRoundTrip',
      { store: bytes },
    );
    expect(r).toEqual({ again: bytes, supplier1Role: 2, supplier1Key: toHex(pki.supplier1.publicKey) });
  });
});
