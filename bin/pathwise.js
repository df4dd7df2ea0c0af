#!/usr/bin/env node
// The `pathwise` command: the Vite-built CLI (npm run build writes dist/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('pathwise: dist/cli.js is missing; run `npm run build` (or `npm run train`, which builds first)');
  process.exit(1);
}
await import(cli);
