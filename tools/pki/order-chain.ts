/**
 * Puts loose intermediates into path order for verifyChain (leaf first), the way openssl's
 * -untrusted works: from the leaf, take the certificate whose subject is the current
 * issuer, until none fits. Unused ones are left out; validation itself stays the device's.
 */
import { parseCertificate } from '../../device/pki/x509.js';
import { equalBytes } from '../../device/util/bytes.js';

export function orderChain(leaf: Uint8Array, intermediates: Uint8Array[], maxLength: number): Uint8Array[] {
  const chain = [leaf];
  const pool = intermediates.map((der) => ({ der, cert: parseCertificate(der) }));
  let current = parseCertificate(leaf);
  while (chain.length < maxLength) {
    if (equalBytes(current.subject.der, current.issuer.der)) break; // self-issued: nothing above it
    const i = pool.findIndex((p) => equalBytes(p.cert.subject.der, current.issuer.der));
    if (i < 0) break;
    const [next] = pool.splice(i, 1);
    chain.push(next.der);
    current = next.cert;
  }
  return chain;
}
