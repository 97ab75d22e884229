/**
 * device/image ships on microcontrollers: no Node.js built-in, no npm package (hashing
 * and signatures come through the ports, never noble directly), no global a device lacks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const device = path.resolve(import.meta.dirname, '../../device');
const dir = path.join(device, 'image');

describe('device/image sources', () => {
  it('import only device modules and use no host-only global', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(
      expect.arrayContaining(['image-stream.ts', 'image-session.ts', 'manifest.ts', 'ota-header.ts', 'chain-codec.ts']),
    );
    const offences: string[] = [];
    let imports = 0;
    for (const f of files) {
      const src = readFileSync(path.join(dir, f), 'utf8');
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const [, spec] of code.matchAll(/^(?:import|export)[^;]*?from\s+'([^']+)'/gm)) {
        imports++;
        if (!path.resolve(dir, spec).startsWith(device + path.sep) || !spec.startsWith('.'))
          offences.push(`${f} imports ${spec}`);
      }
      const bad = code.match(
        /\b(Buffer|process|require|TextEncoder|TextDecoder|eval|Function\s*\(|globalThis|noble|crypto\.subtle)\b/,
      );
      if (bad) offences.push(`${f} uses ${bad[0]}`);
    }
    expect(offences).toEqual([]);
    expect(imports).toBeGreaterThan(30); // the scan saw the imports it judges
  });
});
