/**
 * Path building for `cert verify` (RFC 4158 in small): from the leaf, try every loose
 * certificate that could have issued the current one — those whose subjectKeyIdentifier
 * equals its authorityKeyIdentifier first, then those that match by name alone — breadth
 * first, so the shortest path is tried first, and hand each candidate path to the device's verifyChain
 * until one validates. Self-issued intermediates (a CA's key rollover: subject = issuer,
 * another key) are ordinary candidates; unrelated and unparseable certificates are never
 * chosen, so they change nothing. Validation itself stays the device's.
 */
import { isOtaError, OtaError } from '../../device/errors.js';
import {
  type ChainOptions,
  type VerifiedChain,
  MAX_CHAIN_LENGTH,
  verifyChain,
  parseCertificate,
  type Certificate,
} from '../../device/pki/index.js';
import { equalBytes } from '../../device/util/index.js';

/** Most candidate paths tried before giving up (a pool of look-alike names cannot make this run for ever). */
export const MAX_CANDIDATE_PATHS = 64;

interface Node {
  der: Uint8Array;
  cert: Certificate;
}

function parsed(der: Uint8Array): Node | undefined {
  try {
    return { der, cert: parseCertificate(der) };
  } catch {
    return undefined; // an unparseable loose certificate cannot be on any path: ignored
  }
}

/** 2 when `issuer` matches `cert` by name and key identifier, 1 by name alone, 0 not at all. */
function issuerRank(issuer: Certificate, cert: Certificate): number {
  if (!equalBytes(issuer.subject.der, cert.issuer.der)) return 0;
  if (issuer.subjectKeyId && cert.authorityKeyId) return equalBytes(issuer.subjectKeyId, cert.authorityKeyId) ? 2 : 0;
  return 1;
}

function candidatesFor(cert: Certificate, pool: Node[], used: Set<Node>): Node[] {
  const ranked = pool
    .filter((n) => !used.has(n))
    .map((n) => ({ n, r: issuerRank(n.cert, cert) }))
    .filter((x) => x.r > 0);
  ranked.sort((a, b) => b.r - a.r); // stable: key-identifier matches first, then the order given
  return ranked.map((x) => x.n);
}

/**
 * Candidate paths (leaf first, anchor excluded) that end at a certificate some anchor could
 * have issued, shortest first, at most `maxLength` long and `MAX_CANDIDATE_PATHS` many.
 */
export function candidatePaths(
  leaf: Uint8Array,
  intermediates: Uint8Array[],
  anchors: Uint8Array[],
  maxLength = MAX_CHAIN_LENGTH,
): Uint8Array[][] {
  const leafNode = { der: leaf, cert: parseCertificate(leaf) };
  const pool = intermediates.map(parsed).filter((n): n is Node => n !== undefined);
  const anchorCerts = anchors.map(parsed).filter((n): n is Node => n !== undefined);
  const out: Uint8Array[][] = [];
  // Breadth first over path length, so the shortest path that reaches an anchor is tried first.
  let frontier: Node[][] = [[leafNode]];
  while (frontier.length > 0 && out.length < MAX_CANDIDATE_PATHS) {
    const next: Node[][] = [];
    for (const path of frontier) {
      const top = path[path.length - 1].cert;
      if (anchorCerts.some((a) => issuerRank(a.cert, top) > 0)) out.push(path.map((n) => n.der));
      if (path.length < maxLength) {
        for (const c of candidatesFor(top, pool, new Set(path))) next.push([...path, c]);
      }
    }
    frontier = next.slice(0, MAX_CANDIDATE_PATHS);
  }
  return out.slice(0, MAX_CANDIDATE_PATHS);
}

/**
 * Validates `leaf` against `anchors` through whichever loose intermediates make a path.
 * Returns the first path that validates; otherwise throws the refusal of the first
 * candidate path (the most plausible one), or PKI_NO_PATH when there is no candidate.
 */
export function buildAndVerify(
  leaf: Uint8Array,
  intermediates: Uint8Array[],
  anchors: Uint8Array[],
  options: ChainOptions,
): { chain: Uint8Array[]; result: VerifiedChain } {
  const paths = candidatePaths(leaf, intermediates, anchors);
  if (paths.length === 0) {
    // Let the validator say why the leaf alone does not chain (its own code and message).
    verifyChain([leaf], anchors, options);
    throw new OtaError('PKI_NO_PATH', 'no path from the leaf to an anchor');
  }
  let first: unknown;
  for (const chain of paths) {
    try {
      return { chain, result: verifyChain(chain, anchors, options) };
    } catch (e) {
      if (!isOtaError(e)) throw e;
      first ??= e;
    }
  }
  throw first;
}
