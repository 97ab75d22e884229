/**
 * device/pki runs on microcontrollers: its sources import only device/ modules (no
 * Node.js built-ins, no npm packages: crypto comes through the ports) and use none of
 * the globals a device lacks. The XS lane proves it runs; this says why it will keep to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../vectors/vectors.js';

const dir = path.join(repoRoot, 'device/pki');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('device/pki sources', () => {
  it('exist', () => {
    expect(files).toEqual(
      expect.arrayContaining(['der.ts', 'x509.ts', 'path.ts', 'smki.ts', 'trust-store.ts', 'signer.ts']),
    );
  });

  for (const f of files) {
    it(`${f} imports only relative device modules and uses no Node or host-only global`, () => {
      const src = readFileSync(path.join(dir, f), 'utf8');
      const imports = [...src.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const i of imports) {
        expect(i.startsWith('./') || i.startsWith('../')).toBe(true);
        expect(path.resolve(dir, i).startsWith(path.join(repoRoot, 'device'))).toBe(true);
      }
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(
        /\b(Buffer|process|require|TextEncoder|TextDecoder|eval|Function\s*\(|globalThis|crypto\.subtle)\b/,
      );
    });
  }
});
