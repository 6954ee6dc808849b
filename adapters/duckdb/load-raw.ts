import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckDbDialect as d } from '../../shared/sql/duckdb-dialect.js';
import { RAW_DATASET, RAW_TABLES, type RawTableName } from '../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';
import type { ColumnSpec, ColumnType, RawTableSpec } from '../../shared/tables/types.js';
import { PermanentError } from '../../shared/errors/errors.js';
import type { DuckDbWarehouse } from './duckdb-warehouse.js';
import { inTransaction } from './transaction.js';

/** A raw CSV that cannot be loaded as it is: its header, or one of its values, breaks the contract. */
export class RawFileError extends PermanentError {
  override readonly name = 'RawFileError';
}

export type RawLoadCounts = Partial<Record<RawTableName, number>>;

/**
 * Loads every `<raw_table>.csv` of `dir` into nba_raw, replacing each loaded table's contents, all files in
 * one transaction: a bad header or value anywhere loads nothing. Tables without a file keep their rows.
 * CSV format (../shared/data/README.md): a header row, timestamps like `2016-10-24 12:00:00+00`,
 * booleans true/false, an empty field is NULL.
 */
export async function loadRawDirectory(warehouse: Pick<DuckDbWarehouse, 'withConnection'>, dir: string): Promise<RawLoadCounts> {
  const files = RAW_TABLES
    .map((table) => ({ spec: RAW_TABLE_SPECS[table], path: resolve(join(dir, `${table}.csv`)) }))
    .filter((file) => existsSync(file.path));
  // Headers first: a wrong file is named before anything is read into the warehouse.
  for (const file of files) checkHeader(file.path, file.spec);
  return warehouse.withConnection((connection) => inTransaction(connection, async () => {
    const counts: RawLoadCounts = {};
    for (const file of files) counts[file.spec.name] = await loadFile(connection, file.path, file.spec);
    return counts;
  }));
}

/** The header must list the spec's columns exactly: same names, same order. */
export function checkHeader(path: string, spec: RawTableSpec): void {
  const header = firstLine(path).replace(/^\uFEFF/, '').replace(/\r$/, '');
  const found = header === '' ? [] : header.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  const expected = spec.columns.map((c) => c.name);
  if (found.join(',') === expected.join(',')) return;
  const missing = expected.filter((name) => !found.includes(name));
  const unexpected = found.filter((name) => !expected.includes(name));
  const problems = [
    missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
    unexpected.length > 0 ? `unexpected columns: ${unexpected.join(', ')}` : '',
    missing.length === 0 && unexpected.length === 0 ? 'columns out of order' : '',
  ].filter(Boolean);
  throw new RawFileError(
    `${basename(path)}: header does not match ${RAW_DATASET}.${spec.name} (${problems.join('; ')}). ` +
    `Expected: ${expected.join(',')}. Found: ${found.join(',')}`,
  );
}

function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const bytes = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytes).toString('utf8').split('\n')[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/**
 * DuckDB's CSV reader turns an unparsable TIMESTAMPTZ into NULL without a word, and reads a DATE from the
 * start of a field whatever follows it (`2021-11-15'; DROP TABLE ...` loads as 2021-11-15), so timestamps
 * and dates are read as text and cast after a check that names the first bad line; every other type fails
 * in the reader itself, which names the line.
 */
async function loadFile(connection: DuckDBConnection, path: string, spec: RawTableSpec): Promise<number> {
  const file = basename(path);
  const stage = `raw_load_${spec.name}`;
  const readType = (c: ColumnSpec) => (CHECKED_AS_TEXT[c.type] ? 'VARCHAR' : d.columnType(c.type));
  const columns = spec.columns.map((c) => `'${c.name}': '${readType(c)}'`).join(', ');
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE "${stage}" AS
      SELECT ROW_NUMBER() OVER () + 1 AS source_line, *
      FROM read_csv('${path.replace(/'/g, "''")}', header = true, auto_detect = false, delim = ',', quote = '"',
        escape = '"', nullstr = '', columns = {${columns}})`);
  } catch (error) {
    throw new RawFileError(`${file}: ${duckDbCsvMessage(error)}`, { cause: error });
  }
  const problem = await firstBadValue(connection, stage, spec);
  if (problem) throw new RawFileError(`${file}: line ${problem.line}: ${problem.message}`);
  const values = spec.columns.map((c) => {
    const cast = CHECKED_AS_TEXT[c.type];
    return cast ? `CAST("${c.name}" AS ${cast})` : `"${c.name}"`;
  });
  const target = d.table(RAW_DATASET, spec.name);
  await connection.run(`DELETE FROM ${target}`);
  await connection.run(`INSERT INTO ${target} (${spec.columns.map((c) => `"${c.name}"`).join(', ')})
    SELECT ${values.join(', ')} FROM "${stage}" ORDER BY source_line`);
  const reader = await connection.runAndReadAll(`SELECT COUNT(*) FROM "${stage}"`);
  await connection.run(`DROP TABLE "${stage}"`);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

/** Types the reader would take a bad value of without a word: read as text, checked here, then cast to this. */
const CHECKED_AS_TEXT: Partial<Record<ColumnType, string>> = { DATE: 'DATE', TIMESTAMP: 'TIMESTAMPTZ' };

/** The first empty critical value, unreadable timestamp or malformed date, by line. */
async function firstBadValue(
  connection: DuckDBConnection,
  stage: string,
  spec: RawTableSpec,
): Promise<{ line: number; message: string } | undefined> {
  const checks = spec.columns.flatMap((c) => {
    const found: string[] = [];
    if (!c.nullable) {
      found.push(`SELECT source_line, '${c.name} is empty, and the contract says it is never NULL' AS message
        FROM "${stage}" WHERE "${c.name}" IS NULL`);
    }
    if (c.type === 'TIMESTAMP') {
      found.push(`SELECT source_line, '${c.name} is not a timestamp: "' || "${c.name}" || '"' AS message
        FROM "${stage}" WHERE "${c.name}" IS NOT NULL AND TRY_CAST("${c.name}" AS TIMESTAMPTZ) IS NULL`);
    }
    if (c.type === 'DATE') {
      found.push(`SELECT source_line, '${c.name} is not a date written YYYY-MM-DD: "' || "${c.name}" || '"' AS message
        FROM "${stage}" WHERE "${c.name}" IS NOT NULL
          AND (NOT regexp_full_match("${c.name}", '\\d{4}-\\d{2}-\\d{2}') OR TRY_CAST("${c.name}" AS DATE) IS NULL)`);
    }
    return found;
  });
  if (checks.length === 0) return undefined;
  const reader = await connection.runAndReadAll(`${checks.join('\nUNION ALL\n')}\nORDER BY source_line LIMIT 1`);
  const row = reader.getRows()[0];
  return row ? { line: Number(row[0]), message: String(row[1]) } : undefined;
}

/** DuckDB's CSV error up to its advice, which is about auto-detection we do not use. */
function duckDbCsvMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const kept: string[] = [];
  for (const line of message.split('\n')) {
    if (/^(Column .* is being converted|This type was|Possible (solutions|fixes)|\*|\s*file =)/.test(line)) break;
    if (line.trim() !== '') kept.push(line.trim());
  }
  return kept.join(' | ');
}
