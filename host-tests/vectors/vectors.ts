/** Where the test vectors live: host-tests/vectors/ inside the repository (README.md there names each source). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const vectorsDir = path.join(repoRoot, 'host-tests/vectors');
export const wycheproofDir = path.join(vectorsDir, 'wycheproof');
export const otaImagesDir = path.join(vectorsDir, 'ota-images');
