import type { DuckDBConnection } from '@duckdb/node-api';
import { duckDbDialect as d } from '../../shared/sql/duckdb-dialect.js';
import { ANALYTICS_DATASETS, RAW_DATASET, RUN_MODES } from '../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import type { ColumnSpec } from '../../shared/tables/types.js';
import { PermanentError } from '../../shared/errors/errors.js';
import { inTransaction } from './transaction.js';

interface TableToCreate {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
}

/** Every table of the contract: the raw ones in nba_raw, each analytics one in both modes' schemas. */
export function contractTables(): TableToCreate[] {
  const raw = Object.values(RAW_TABLE_SPECS).map((spec) => ({ schema: RAW_DATASET, name: spec.name, columns: spec.columns }));
  const analytics = RUN_MODES.flatMap((mode) => Object.values(TABLE_SPECS).map((spec) => ({
    schema: ANALYTICS_DATASETS[mode], name: spec.name, columns: spec.columns,
  })));
  return [...raw, ...analytics];
}

/**
 * Columns are created nullable even where the contract says critical: a NULL in a critical column is a
 * data problem the verification reports per date, not a write that fails and retries forever.
 */
function createTableSql(table: TableToCreate): string {
  const columns = table.columns.map((c) => `"${c.name}" ${d.columnType(c.type)}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${d.table(table.schema, table.name)} (${columns})`;
}

/**
 * Creates the schemas and tables that are missing, and adds columns a newer contract version added
 * (columns may be added, never renamed). A column whose type changed is refused: that needs a migration.
 */
export async function ensureSchema(connection: DuckDBConnection): Promise<void> {
  const tables = contractTables();
  const schemas = [...new Set(tables.map((t) => t.schema))];
  await inTransaction(connection, async () => {
    for (const schema of schemas) await connection.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    for (const table of tables) await connection.run(createTableSql(table));
    const existing = await existingColumns(connection);
    for (const table of tables) {
      for (const column of table.columns) {
        const type = existing.get(`${table.schema}.${table.name}.${column.name}`);
        if (type === undefined) {
          await connection.run(`ALTER TABLE ${d.table(table.schema, table.name)} ADD COLUMN "${column.name}" ${d.columnType(column.type)}`);
        } else if (normalType(type) !== normalType(d.columnType(column.type))) {
          throw new PermanentError(
            `${table.schema}.${table.name}.${column.name} is ${type} in the warehouse but ${d.columnType(column.type)} in the contract`,
          );
        }
      }
    }
  });
}

async function existingColumns(connection: DuckDBConnection): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    `SELECT table_schema || '.' || table_name || '.' || column_name, data_type FROM information_schema.columns`,
  );
  return new Map(reader.getRows().map(([key, type]) => [String(key), String(type)]));
}

/** information_schema spells TIMESTAMPTZ out and drops the space in DECIMAL(38, 9). */
function normalType(type: string): string {
  return type.toUpperCase().replace(/\s+/g, '').replace('TIMESTAMPWITHTIMEZONE', 'TIMESTAMPTZ');
}
