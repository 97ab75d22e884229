/** Where the shared test vectors live: `../shared/vectors` beside the repository (here and in CI). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedVectors = path.resolve(repoRoot, '../shared/vectors');
