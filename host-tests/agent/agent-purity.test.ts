/**
 * device/agent runs on microcontrollers and sim/ runs inside XS: neither may
 * reach for a Node API or a global a device lacks. The XS lane proves they run there; this
 * says why they will keep to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const FORBIDDEN =
  /\b(Buffer|process|require|TextEncoder|TextDecoder|eval|Function\s*\(|crypto\.subtle|setTimeout|setInterval|Date\.now|performance)\b/;

for (const folder of ['device/agent', 'sim/']) {
  const dir = path.join(root, folder);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  describe(`${folder} sources`, () => {
    it('exist', () => {
      expect(files.length).toBeGreaterThan(5);
    });
    for (const f of files) {
      it(`${f} imports no Node module and uses no host-only global`, () => {
        const src = readFileSync(path.join(dir, f), 'utf8');
        const imports = [...src.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
        for (const i of imports) {
          expect(i.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(i)).toBe(false);
          if (folder === 'device/agent') expect(path.resolve(dir, i).startsWith(path.join(root, 'device'))).toBe(true);
        }
        const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        expect(code).not.toMatch(FORBIDDEN);
      });
    }
  });
}
