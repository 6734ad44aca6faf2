#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` builds dist/ through the `prepare` script.
import { existsSync } from 'node:fs';
const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('affectlab: dist/ is missing; run `npm run build` (npm ci does it) first\n');
  process.exit(2);
}
await import(entry.href);
