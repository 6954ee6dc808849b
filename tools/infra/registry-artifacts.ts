import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigQueryDialect } from '../../shared/sql/bigquery-dialect.js';
import type { SqlContext } from '../../shared/sql/dialect.js';
import type { AnalyticsTableSpec, ColumnSpec, ColumnType } from '../../shared/tables/types.js';

/**
 * What infra/ derives from the table registry (shared/tables/registry.ts TABLE_SPECS): the BigQuery schema
 * file of each analytics table and the expected-rows monitoring view. generate-from-registry.ts writes them;
 * test/infra compares the committed files with them.
 */

/** infra/ of this checkout (from dist/tools/infra/ at run time). */
export const INFRA_DIR = join(fileURLToPath(new URL('../../../', import.meta.url)), 'infra');

// --- BigQuery schemas from the table registry -----------------------------------------------------------

const BIGQUERY_TYPES: Record<ColumnType, string> = {
  // The API's own names: it reports INT64 and BOOL back as INTEGER and BOOLEAN, and Terraform would
  // show a permanent diff if the file used the aliases.
  STRING: 'STRING', INT64: 'INTEGER', NUMERIC: 'NUMERIC', BOOL: 'BOOLEAN', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP',
};

export interface BigQueryField {
  readonly name: string;
  readonly type: string;
  readonly mode: 'NULLABLE';
  readonly description: string;
}

/**
 * The BigQuery schema of a table spec. Every field is NULLABLE (see infra/bigquery.tf for why); whether
 * NULL is allowed by the contract goes into the description, and verification enforces it.
 */
export function bigQuerySchema(columns: readonly ColumnSpec[]): BigQueryField[] {
  return columns.map((c) => ({
    name: c.name,
    type: BIGQUERY_TYPES[c.type],
    mode: 'NULLABLE',
    description: [c.description, c.nullable ? 'NULL ok.' : 'Critical: never NULL (checked by verification).']
      .filter((part): part is string => Boolean(part)).join(' ').slice(0, 1024),
  }));
}

export function schemaFileText(columns: readonly ColumnSpec[]): string {
  return `${JSON.stringify(bigQuerySchema(columns), null, 2)}\n`;
}

export function schemaPath(table: string, dir: string = INFRA_DIR): string {
  return join(dir, 'schemas', `${table}.json`);
}

// --- The expected-rows view from the table registry ------------------------------------------------------

/** The coverage window of the monitoring views, as templatefile() placeholders and GoogleSQL. */
export const VIEW_WINDOW = { start: "DATE '${coverage_start}'", end: 'DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)' } as const;

export const EXPECTED_ROWS_VIEW_FILE = 'expected_rows_by_date.sql';

/**
 * infra/sql/expected_rows_by_date.sql: every table's `expectation` (the SQL verification runs, so the
 * console and `verify` never disagree on what a date must hold), rendered for BigQuery with the tables
 * named by templatefile() placeholders and the job's date parameters replaced by the view's window.
 */
export function expectedRowsViewSql(specs: readonly Pick<AnalyticsTableSpec, 'name' | 'expectation'>[]): string {
  const d = bigQueryDialect('${project}');
  const ctx: SqlContext = { d, raw: (t) => d.table('${raw_dataset}', t), analytics: (t) => d.table('${analytics_dataset}', t) };
  const parts = specs.map((spec) => {
    const sql = spec.expectation(ctx)
      .replace(/@start_date\b/g, VIEW_WINDOW.start)
      .replace(/@end_date\b/g, VIEW_WINDOW.end);
    const unbound = /@[A-Za-z_]\w*/.exec(sql);
    if (unbound) throw new Error(`the expectation of ${spec.name} uses the parameter ${unbound[0]}, which a view cannot bind`);
    const body = sql.trim().split('\n').map((line) => (line ? `  ${line}` : line)).join('\n');
    return `SELECT '${spec.name}' AS table_name, e.game_date, e.expected_rows, e.source_short_games, e.scheduled_games\nFROM (\n${body}\n) AS e`;
  });
  return [
    '-- expected_rows_by_date: GENERATED from shared/tables/registry.ts by `npm run generate:infra`;',
    '-- do not edit, regenerate (test/infra fails while it is stale).',
    "-- What each analytics table must hold per game date, by each table's `expectation`: the same SQL",
    '-- verification runs, computed from the schedule and the raw inputs, never from the table itself.',
    '-- One row per table and date with games counting for it, from ${coverage_start} through yesterday:',
    '-- expected_rows, source_short_games (games whose raw data is short: the date cannot be complete),',
    '-- scheduled_games.',
    parts.join('\nUNION ALL\n'),
    '',
  ].join('\n');
}
