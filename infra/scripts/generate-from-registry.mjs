#!/usr/bin/env node
// Writes what infra/ derives from shared/tables/registry.ts TABLE_SPECS:
//   infra/schemas/<table>.json          the BigQuery schema of each analytics table
//   infra/sql/expected_rows_by_date.sql each table's expectation, as the monitoring view reads it
// It reads the compiled dist/, so run `npm run build` first. test/infra fails when these files and the
// registry differ, and names this script as the fix. The conversions live in test/support/infra.ts so
// the test and this script cannot disagree.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const infraDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(infraDir, '..', 'dist');
const { TABLE_SPECS } = await import(join(dist, 'shared/tables/registry.js'));
const { schemaFileText, expectedRowsViewSql, EXPECTED_ROWS_VIEW_FILE } = await import(join(dist, 'test/support/infra.js'));

const specs = Object.values(TABLE_SPECS);

const schemaDir = join(infraDir, 'schemas');
mkdirSync(schemaDir, { recursive: true });
const wanted = new Set();
for (const spec of specs) {
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

writeFileSync(join(infraDir, 'sql', EXPECTED_ROWS_VIEW_FILE), expectedRowsViewSql(specs));
console.log(`wrote infra/sql/${EXPECTED_ROWS_VIEW_FILE} (${specs.length} tables)`);
