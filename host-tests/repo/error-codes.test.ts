/**
 * Error codes are data: every code lives in a `const` table, `OtaError.code` is typed as
 * their union (device/errors.ts), docs/REPORTS.md lists every one, and nothing under
 * device/ spells a code as a bare string (the type system would accept a bare string that
 * happens to be a code, so this scan is what keeps the tables the only source).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentError, SinkError } from '../../device/agent/agent-errors.js';
import { OtaClientError } from '../../device/agent/ota-errors.js';
import type { OtaErrorCode } from '../../device/errors.js';
import { ImageError } from '../../device/image/image-errors.js';
import { LinError } from '../../device/platform/lin/lin-errors.js';
import { DerError } from '../../device/pki/der.js';
import { PathError } from '../../device/pki/path.js';
import { PkiError } from '../../device/pki/pki-errors.js';
import { SmkiError } from '../../device/pki/smki.js';
import { TrustStoreError } from '../../device/pki/trust-store.js';
import { CertError } from '../../device/pki/x509.js';
import { CredentialError } from '../../device/pki/credential-errors.js';
import { StorageError } from '../../device/storage/storage-errors.js';
import { CborError } from '../../device/util/cbor.js';
import { ZclError } from '../../device/zigbee/zigbee-errors.js';

const root = path.resolve(import.meta.dirname, '../..');

const TABLES: Record<string, Record<string, OtaErrorCode>> = {
  AgentError,
  SinkError,
  OtaClientError,
  ZclError,
  StorageError,
  ImageError,
  PkiError,
  DerError,
  CertError,
  SmkiError,
  PathError,
  TrustStoreError,
  CredentialError,
  CborError,
  LinError,
};

/** A string literal shaped like a code: SCREAMING_SNAKE with at least one underscore. */
const CODE_LITERAL = /(['"`])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1/g;
const TABLE_BODY = /export const (\w+Error) = \{[\s\S]*?\} as const;/g;

function deviceSources(dir = path.join(root, 'device')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return deviceSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('error codes', () => {
  const files = deviceSources();

  it('every error table under device/ is one the checks below know', () => {
    const declared = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(TABLE_BODY)].map((m) => m[1]));
    expect(declared.sort()).toEqual(Object.keys(TABLES).sort());
  });

  it('no code is written as a bare string under device/, outside its table', () => {
    const bare: string[] = [];
    for (const f of files) {
      const code = withoutComments(readFileSync(f, 'utf8')).replace(TABLE_BODY, '');
      for (const m of code.matchAll(CODE_LITERAL)) bare.push(`${path.relative(root, f)}: ${m[2]}`);
    }
    expect(bare).toEqual([]);
  });

  it('every code of every table is listed in docs/REPORTS.md', () => {
    const reports = readFileSync(path.join(root, 'docs/REPORTS.md'), 'utf8');
    const codes = Object.values(TABLES).flatMap((t) => Object.values(t));
    expect(codes.length).toBeGreaterThan(150);
    expect(codes.filter((c) => !reports.includes(`\`${c}\``))).toEqual([]);
  });

  it('a code means one thing: two tables share a code only by reference', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [table, entries] of Object.entries(TABLES)) {
      for (const code of new Set(Object.values(entries))) {
        const first = owner.get(code);
        // PathError.internal is PkiError.internal (path.ts refers to it), not a second definition.
        if (first && !(code === PkiError.internal && table === 'PathError'))
          clashes.push(`${code}: ${first}, ${table}`);
        owner.set(code, first ?? table);
      }
    }
    expect(clashes).toEqual([]);
  });
});
