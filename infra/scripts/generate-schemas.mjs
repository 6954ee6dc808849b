#!/usr/bin/env node
// Writes infra/schemas/<table>.json from shared/tables/registry.ts TABLE_SPECS (through the compiled
// dist/, so run `npm run build` first). test/infra fails when the files and the registry differ; this
// is the fix it names. The conversion itself lives in test/support/infra.ts (bigQuerySchema), so the
// test and this script cannot disagree.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const infraDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(infraDir, '..', 'dist');
const { TABLE_SPECS } = await import(join(dist, 'shared/tables/registry.js'));
const { schemaFileText } = await import(join(dist, 'test/support/infra.js'));

const schemaDir = join(infraDir, 'schemas');
mkdirSync(schemaDir, { recursive: true });
const wanted = new Set();
for (const spec of Object.values(TABLE_SPECS)) {
  const file = `${spec.name}.json`;
  wanted.add(file);
  writeFileSync(join(schemaDir, file), schemaFileText(spec.columns));
  console.log(`wrote infra/schemas/${file} (${spec.columns.length} columns)`);
}
for (const file of readdirSync(schemaDir)) {
  if (file.endsWith('.json') && !wanted.has(file)) {
    rmSync(join(schemaDir, file));
    console.log(`removed infra/schemas/${file} (no such table in the registry)`);
  }
}
