#!/usr/bin/env node
// Entry for a checkout or an npm install: runs the bundled CLI (npm run build makes it).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
try {
  require('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    console.error('kleene-boot: dist/cli.js is missing; run `npm run build` first');
    process.exit(1);
  }
  throw e;
}
