#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/fledge.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('fledge: the CLI is not built yet. Run `npm install` (or `npm run build`) in the fledge checkout first.\n');
  process.exit(2);
}
await import(pathToFileURL(bundle).href);
