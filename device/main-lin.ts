/**
 * The lin build's "main" module (manifest.lin.json): it only loads the lin platform's
 * entry, so that module names stay those of the device/ tree and relative imports
 * resolve the same way under tsc and under XS.
 */
import './platform/lin/main-lin.js';
