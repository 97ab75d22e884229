/** Human-readable names and times for what the CLI prints about certificates. */
import { Tag, Oid, type Name } from '../../device/pki/index.js';
import { toHex, utf8Decode } from '../../device/util/index.js';

const SHORT: Record<string, string> = {
  [Oid.commonName]: 'CN',
  [Oid.organizationName]: 'O',
  [Oid.organizationalUnitName]: 'OU',
  [Oid.x500UniqueIdentifier]: 'x500UniqueIdentifier',
  '2.5.4.6': 'C',
};

/** A name as `OU=02, x500UniqueIdentifier=#90b3d51f30010000, CN=Supplier 1` (bytes as #hex). */
export function nameToString(name: Name): string {
  if (name.attributes.length === 0) return '(empty)';
  return name.attributes
    .map((a) => {
      const key = SHORT[a.oid] ?? a.oid;
      const text =
        a.tag === Tag.utf8String || a.tag === Tag.printableString || a.tag === Tag.ia5String
          ? utf8Decode(a.value)
          : undefined;
      const shown = text ?? `#${toHex(a.tag === Tag.bitString ? a.value.subarray(1) : a.value)}`;
      return `${key}=${shown}`;
    })
    .join(', ');
}

export function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses an RFC 3339 time with an explicit offset (Z or ±hh:mm) into unix seconds. */
export function parseRfc3339(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) throw new Error(`not an RFC 3339 time with an offset: ${text}`);
  const ms = Date.parse(text.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw new Error(`not a valid time: ${text}`);
  return Math.floor(ms / 1000);
}
