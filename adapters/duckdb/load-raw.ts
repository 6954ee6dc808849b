import { createReadStream, lstatSync, statSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse, CsvError } from 'csv-parse';
import { duckDbDialect as d } from '../../shared/sql/duckdb-dialect.js';
import { RAW_DATASET, RAW_TABLES, type RawTableName } from '../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';
import { printable, quoted, rawValueProblem } from '../../shared/tables/raw-values.js';
import type { RawTableSpec } from '../../shared/tables/types.js';
import { PermanentError } from '../../shared/errors/errors.js';
import { asStorageFault } from '../../shared/errors/storage-fault.js';
import type { DuckDbWarehouse } from './duckdb-warehouse.js';
import { inTransaction } from './transaction.js';

/** A raw CSV that cannot be loaded as it is: its header, or one of its values, breaks the contract. */
export class RawFileError extends PermanentError {
  override readonly name = 'RawFileError';
}

export type RawLoadCounts = Partial<Record<RawTableName, number>>;

/** Raw rows are a few hundred bytes; a record past this is not a row of the contract (and is not echoed). */
export const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Loads every `<raw_table>.csv` of `dir` into nba_raw, replacing each loaded table's contents, all files in
 * one transaction: a bad header or value anywhere loads nothing. Tables without a file keep their rows.
 * CSV format (../shared/data/README.md): a header row, timestamps like `2016-10-24 12:00:00+00`,
 * booleans true/false, an empty field is NULL, lines ending in \n or \r\n.
 *
 * Every value is checked against its column of the contract (type, domain, NULL) before DuckDB reads
 * the file (shared/tables/raw-values.ts), and the first one that does not fit is named by file, line
 * and column: DuckDB's reader would round `130.7` into an INT64, read a DATE from the start of a field,
 * and name no line for a stray \r.
 */
export async function loadRawDirectory(warehouse: Pick<DuckDbWarehouse, 'withConnection' | 'path'>, dir: string): Promise<RawLoadCounts> {
  const files = RAW_TABLES
    .map((table) => ({ spec: RAW_TABLE_SPECS[table], path: resolve(dir, `${table}.csv`) }))
    .filter((file) => regularFile(file.path));
  const checked: Array<{ spec: RawTableSpec; path: string; records: number }> = [];
  // Every file first: a wrong one is named before anything is read into the warehouse.
  for (const file of files) checked.push({ ...file, records: await checkRawFile(file.path, file.spec) });
  return warehouse.withConnection((connection) => inTransaction(connection, async () => {
    const counts: RawLoadCounts = {};
    for (const file of checked) counts[file.spec.name] = await loadFile(connection, file);
    return counts;
  })).catch((error: unknown) => {
    // A full disk or a failing warehouse file, named as such (nothing was loaded: one transaction).
    throw asStorageFault(error, warehouse.path) ?? error;
  });
}

/** False when missing; a name that is there but not a regular file (directory, FIFO, device) is refused, not opened. */
function regularFile(path: string): boolean {
  let stats: Stats;
  try {
    lstatSync(path);
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // A symlink whose target is gone is there, and wrong.
      if (isSymlink(path)) throw new RawFileError(`${path}: a symbolic link to nothing; name a CSV file`);
      return false;
    }
    throw error;
  }
  if (stats.isFile()) return true;
  const kind = stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO (named pipe)' : stats.isSocket() ? 'a socket'
    : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';
  throw new RawFileError(`${path}${isSymlink(path) ? ' (a symbolic link)' : ''} is ${kind}, not a CSV file: load-raw reads regular files only, and loaded nothing`);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Reads the whole file once: header, structure and every value. Returns the number of records. Line
 * numbers count \n, so a record whose quoted value holds line breaks is named by the line it starts on.
 */
export async function checkRawFile(path: string, spec: RawTableSpec): Promise<number> {
  const file = basename(path);
  const parser = createReadStream(path).pipe(parse({
    bom: true, record_delimiter: ['\r\n', '\n'], raw: true, max_record_size: MAX_RECORD_CHARS, relax_column_count: true,
  }));
  let line = 1;
  let records = 0;
  let header = true;
  let lineEnding: { readonly ending: string; readonly line: number } | undefined;
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      // csv-parse's raw text of a record ends with the \r of a \r\n delimiter, or with a whole \n.
      const ending = raw.endsWith('\r') || raw.endsWith('\r\n') ? '\\r\\n' : raw.endsWith('\n') ? '\\n' : undefined;
      lineEnding ??= ending ? { ending, line } : undefined;
      if (ending && lineEnding && ending !== lineEnding.ending) {
        // DuckDB's reader takes one kind of line ending per file and fails on the other with a message
        // that names no line (a corrected row appended by another editor is the usual way in).
        throw new RawFileError(`${file}: line ${line} ends in ${ending} where line ${lineEnding.line} ends in ${lineEnding.ending}; save the file with one kind of line ending (e.g. sed -i 's/\\r$//' ${file})`);
      }
      if (header) {
        checkHeader(file, record, spec);
        header = false;
      } else {
        const problem = recordProblem(record, spec);
        if (problem) throw new RawFileError(`${file}: line ${line}, ${problem}`);
        records += 1;
      }
      line += innerLineBreaks(raw) + 1;
    }
  } catch (error) {
    parser.destroy();
    if (error instanceof RawFileError) throw error;
    if (error instanceof CsvError) throw new RawFileError(`${file}: line ${line}: ${csvProblem(error)}`, { cause: error });
    throw error;
  }
  if (header) throw new RawFileError(`${file}: the file is empty; the first line must be the header: ${spec.columns.map((c) => c.name).join(',')}`);
  return records;
}

/** Line breaks inside the record (a quoted value's); csv-parse's raw text ends with all or part of the record delimiter. */
function innerLineBreaks(raw: string): number {
  const breaks = raw.split('\n').length - 1;
  return raw.endsWith('\n') ? breaks - 1 : breaks;
}

function recordProblem(record: readonly string[], spec: RawTableSpec): string | undefined {
  if (record.length !== spec.columns.length) {
    return `${record.length} value${record.length === 1 ? '' : 's'} where the header has ${spec.columns.length} columns`;
  }
  for (const [i, column] of spec.columns.entries()) {
    const problem = rawValueProblem(column, record[i] ?? '');
    if (problem) return `column ${column.name}: ${problem}`;
  }
  return undefined;
}

function csvProblem(error: CsvError): string {
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return `a record longer than ${MAX_RECORD_CHARS} characters; a raw row is a few hundred (is this a CSV of the contract?)`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a closing quote is followed by something other than a comma or the end of the line';
    default:
      return printable(error.message.replace(/ at line \d+.*$/s, ''), 200);
  }
}

/** The header must list the spec's columns exactly: same names, same order. */
function checkHeader(file: string, found: readonly string[], spec: RawTableSpec): void {
  const names = found.map((name) => name.trim());
  const expected = spec.columns.map((c) => c.name);
  if (names.join(',') === expected.join(',')) return;
  // Only what looks like column names is repeated back; the first line of a binary or unrelated file is not.
  if (!names.every((name) => /^[A-Za-z0-9_ .-]{0,64}$/.test(name))) {
    throw new RawFileError(`${file}: the first line is not a header of column names (it holds other characters). Expected: ${expected.join(',')}`);
  }
  const missing = expected.filter((name) => !names.includes(name));
  const unexpected = names.filter((name) => !expected.includes(name));
  const problems = [
    missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
    unexpected.length > 0 ? `unexpected columns: ${unexpected.map((n) => (n === '' ? quoted(n) : n)).join(', ')}` : '',
    missing.length === 0 && unexpected.length === 0 ? 'columns out of order' : '',
  ].filter(Boolean);
  throw new RawFileError(
    `${file}: header does not match ${RAW_DATASET}.${spec.name} (${problems.join('; ')}). ` +
    `Expected: ${expected.join(',')}. Found: ${printable(names.join(','), 400)}`,
  );
}

/** Every column read as text and cast to its type: the values were checked, so every cast holds. */
async function loadFile(connection: DuckDBConnection, file: { path: string; spec: RawTableSpec; records: number }): Promise<number> {
  const { path, spec } = file;
  const name = basename(path);
  const stage = `raw_load_${spec.name}`;
  const columns = spec.columns.map((c) => `'${c.name}': 'VARCHAR'`).join(', ');
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE "${stage}" AS
      SELECT * FROM read_csv('${path.replace(/'/g, "''")}', header = true, auto_detect = false, delim = ',', quote = '"',
        escape = '"', nullstr = '', parallel = false, max_line_size = ${MAX_RECORD_CHARS * 4}, columns = {${columns}})`);
  } catch (error) {
    throw new RawFileError(`${name}: ${duckDbCsvMessage(error)}`, { cause: error });
  }
  const reader = await connection.runAndReadAll(`SELECT COUNT(*) FROM "${stage}"`);
  const rows = Number(reader.getRows()[0]?.[0] ?? 0);
  if (rows !== file.records) {
    throw new RawFileError(`${name}: DuckDB read ${rows} rows where the check read ${file.records}; nothing was loaded`);
  }
  const target = d.table(RAW_DATASET, spec.name);
  const names = spec.columns.map((c) => `"${c.name}"`);
  await connection.run(`DELETE FROM ${target}`);
  await connection.run(`INSERT INTO ${target} (${names.join(', ')})
    SELECT ${spec.columns.map((c) => `CAST("${c.name}" AS ${d.columnType(c.type)})`).join(', ')} FROM "${stage}"`);
  await connection.run(`DROP TABLE "${stage}"`);
  return rows;
}

/** DuckDB's CSV error up to its advice, which is about auto-detection we do not use; printable text only. */
function duckDbCsvMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const kept: string[] = [];
  for (const line of message.split('\n')) {
    if (/^(Column .* is being converted|This type was|Possible (solutions|fixes)|Original Line|\*|\s*file =)/.test(line)) break;
    if (line.trim() !== '') kept.push(line.trim());
  }
  return printable(kept.join(' | '), 300);
}
