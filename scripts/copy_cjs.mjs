// Copies the CommonJS sources under src/ (and their .d.cts types) into dist/:
// tsc type-checks them through the .d.cts but emits nothing for them.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(cjs|d\.cts)$/.test(entry.name)) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  cpSync(from, join(root, 'dist', relative(src, from)));
}
