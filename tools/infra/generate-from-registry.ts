import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import { EXPECTED_ROWS_VIEW_FILE, expectedRowsViewSql, INFRA_DIR, schemaFileText } from './registry-artifacts.js';

/**
 * `npm run generate:infra`: writes what infra/ derives from shared/tables/registry.ts TABLE_SPECS:
 *   infra/schemas/<table>.json          the BigQuery schema of each analytics table
 *   infra/sql/expected_rows_by_date.sql each table's expectation, as the monitoring view reads it
 * test/infra fails while these files and the registry differ, and names this command as the fix.
 */
function generateFromRegistry(infraDir: string, log: (line: string) => void): void {
  const specs = Object.values(TABLE_SPECS);
  const schemaDir = join(infraDir, 'schemas');
  mkdirSync(schemaDir, { recursive: true });
  const wanted = new Set<string>();
  for (const spec of specs) {
    const file = `${spec.name}.json`;
    wanted.add(file);
    writeFileSync(join(schemaDir, file), schemaFileText(spec.columns));
    log(`wrote infra/schemas/${file} (${spec.columns.length} columns)`);
  }
  for (const file of readdirSync(schemaDir)) {
    if (file.endsWith('.json') && !wanted.has(file)) {
      rmSync(join(schemaDir, file));
      log(`removed infra/schemas/${file} (no such table in the registry)`);
    }
  }
  mkdirSync(join(infraDir, 'sql'), { recursive: true });
  writeFileSync(join(infraDir, 'sql', EXPECTED_ROWS_VIEW_FILE), expectedRowsViewSql(specs));
  log(`wrote infra/sql/${EXPECTED_ROWS_VIEW_FILE} (${specs.length} tables)`);
}

generateFromRegistry(INFRA_DIR, (line) => console.log(line));
