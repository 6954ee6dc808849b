import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type {
  PartitionVersions, QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse,
} from '../../shared/ports/warehouse.js';
import { sqlContextFor, type ParamValue, type RenderedQuery, type SqlContext } from '../../shared/sql/dialect.js';
import { duckDbDialect as d } from '../../shared/sql/duckdb-dialect.js';
import { ANALYTICS_DATASETS, ANALYTICS_TABLES, RAW_DATASET, RAW_TABLES, type RunMode } from '../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import { isIsoDate, type IsoDate } from '../../shared/util/dates.js';
import { PermanentError } from '../../shared/errors/errors.js';
import { ConnectionPool } from './connection-pool.js';
import { bindValues, toPlainValue } from './duckdb-values.js';
import { openError, queryError } from './duckdb-errors.js';
import { ensureSchema } from './schema.js';
import { inTransaction } from './transaction.js';
import { PartitionLocks } from './partition-locks.js';

export interface DuckDbWarehouseOptions {
  /** The database file (created with its directory if missing), or ':memory:'. */
  readonly path: string;
  /** Connections, so this many partition writes and queries can run at once. */
  readonly maxConnections?: number;
  /**
   * DuckDB worker threads; default 1, as tests open many warehouses side by side. The CLI's stack gives
   * every core (cli/local-stack.ts): with one job per table a query, not many small ones, is the critical path.
   */
  readonly threads?: number;
  /**
   * Open the file read-only (DuckDB's access_mode READ_ONLY): nothing is written, not even the schema,
   * so it works on a full disk, and beside other read-only openers. The file must exist.
   */
  readonly readOnly?: boolean;
}

const DEFAULT_MAX_CONNECTIONS = 4;

/** The Warehouse port on an embedded DuckDB file: the whole service on one machine. */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private readonly partitionLocks = new PartitionLocks();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
    readonly path: string,
  ) {}

  static async open(options: DuckDbWarehouseOptions): Promise<DuckDbWarehouse> {
    const { path } = options;
    const readOnly = options.readOnly === true && path !== ':memory:';
    if (path !== ':memory:' && !readOnly) mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { threads: String(options.threads ?? 1), ...(readOnly ? { access_mode: 'READ_ONLY' } : {}) });
    } catch (error) {
      throw openError(error, path);
    }
    // Timestamps compare and print in UTC whatever the machine's zone ("midnight UTC of game_date").
    const pool = new ConnectionPool(instance, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, async (connection) => {
      await connection.run(`SET TimeZone = 'UTC'`);
    });
    const warehouse = new DuckDbWarehouse(instance, pool, path);
    if (readOnly) return warehouse;
    try {
      await pool.use(ensureSchema);
    } catch (error) {
      await warehouse.close();
      throw queryError(error, `cannot create the tables of ${path}`, path);
    }
    return warehouse;
  }

  context(mode: RunMode): SqlContext {
    return sqlContextFor(d, mode);
  }

  async query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    return this.pool.use(async (connection) => ({ rows: await readRows<T>(connection, query.sql, query.params, query.label, this.path) }));
  }

  /**
   * One transaction on a connection of its own: check the select's columns (bound, not run), delete the
   * partitions of `dates`, insert the select's rows straight into the table, count them per date, commit.
   * Rows dated outside `dates` are found by the count (the insert's row count against the rows now in
   * `dates`) and refused. Any failure rolls the whole write back, so a partition holds the old rows or the
   * new ones, never a mix.
   *
   * No staging table: on the sample's whole range (1,648 dates, 292,912 rows each), staging the rows then
   * copying them took 2.0 s for player_game_summary and 4.4 s for upcoming_player_game_context, inserting them
   * directly 1.5 s and 2.8 s (each step timed on the idle 2-core machine); `npm run bench`'s floor, which is
   * these writes one table after another, went from 8.3-9.3 s to 6.8-8.5 s.
   *
   * The rows go in sorted by game_date. Unsorted, DuckDB's parallel insert left each thread a part-filled row group
   * (player_game_summary: groups of 122,880, 20,300, 122,880 and 26,852 rows) that the next checkpoint merged and
   * wrote again, 0.45-0.48 s; sorted, it writes full row groups (122,880, 122,880, 47,152) the checkpoint keeps
   * (0.01 s), and the insert itself took 1.24 s against 1.65 s (2.1 against 2.8 CPU-seconds; DuckDB's
   * `pragma_storage_info` and `process.cpuUsage` around one write of the sample's 1,648 dates, 2 threads).
   */
  async replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const { table, mode, select } = request;
    const dates = validDates(request.dates, table.name);
    if (dates.length === 0) return { producedByDate: {} };
    const target = d.table(ANALYTICS_DATASETS[mode], table.name);
    const context = `replace ${mode} ${table.name} ${summarizeDates(dates)} (${select.label})`;
    const params = bindValues(select.sql, select.params);
    // Another write of any of these dates commits first (partition-locks.ts says why).
    return this.partitionLocks.with(target, dates, () => this.pool.use(async (connection) => {
      try {
        const produced = await inTransaction(connection, async () => {
          await checkSelectColumns(connection, select.sql, params, table);
          await connection.run(`DELETE FROM ${target} WHERE ${d.inArray('game_date', 'dates', 'ARRAY<DATE>')}`, { dates: JSON.stringify(dates) });
          const columns = table.columns.map((c) => `"${c.name}"`).join(', ');
          const inserted = await connection.run(`INSERT INTO ${target} (${columns}) SELECT * FROM (${select.sql}) AS produced ORDER BY game_date`, params);
          const counts = await countByDate(connection, target, dates);
          if (inserted.rowsChanged !== Object.values(counts).reduce((a, b) => a + b, 0)) {
            const outside = await datesOutside(connection, select.sql, params, dates);
            throw new PermanentError(
              `${context}: the select produced rows dated outside the partitions being replaced: ${outside.join(', ')}`,
            );
          }
          return counts;
        });
        return { producedByDate: Object.fromEntries(dates.map((date) => [date, produced[date] ?? 0])) };
      } catch (error) {
        throw queryError(error, context, this.path);
      }
    }));
  }

  /**
   * DuckDB keeps no per-partition metadata: a partition's version is its rows' count and fingerprint, which
   * changes exactly when its content does (a full scan; cheap on one machine).
   */
  async partitionVersions(mode: RunMode): Promise<PartitionVersions> {
    const sources = [
      ...RAW_TABLES.map((t) => ({ key: `raw.${t}`, table: d.table(RAW_DATASET, t), column: RAW_TABLE_SPECS[t].partitionColumn, columns: RAW_TABLE_SPECS[t].columns.map((c) => c.name) })),
      ...ANALYTICS_TABLES.map((t) => ({ key: `analytics.${t}`, table: d.table(ANALYTICS_DATASETS[mode], t), column: 'game_date', columns: TABLE_SPECS[t].columns.map((c) => c.name) })),
    ];
    const sql = sources.map((s) => `SELECT '${s.key}' AS source, CAST("${s.column}" AS VARCHAR) AS partition_date,
  CAST(COUNT(*) AS VARCHAR) || ':' || ${d.fingerprintAgg(s.columns)} AS version
FROM ${s.table} GROUP BY "${s.column}"`).join('\nUNION ALL\n');
    const rows = await this.run<{ source: string; partition_date: string; version: string }>(sql);
    const out: Record<string, Record<IsoDate, string>> = {};
    for (const row of rows) (out[row.source] ??= {})[row.partition_date] = row.version;
    return out;
  }

  async countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    const wanted = validDates(dates, table.name);
    const found = await this.pool.use(async (connection) => {
      try {
        return await countByDate(connection, d.table(ANALYTICS_DATASETS[mode], table.name), wanted);
      } catch (error) {
        throw queryError(error, `query count ${table.name}`, this.path);
      }
    });
    return Object.fromEntries(wanted.map((date) => [date, found[date] ?? 0]));
  }

  /** Statements outside the port (fixtures, raw loads, tests), on one connection, optionally in one transaction. */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.pool.use(work);
  }

  /** Runs statements with named parameters ($name) and returns plain rows, like query(). */
  async run<T extends Row = Row>(sql: string, params: Readonly<Record<string, ParamValue>> = {}): Promise<T[]> {
    return this.pool.use((connection) => readRows<T>(connection, sql, params, 'statement', this.path));
  }

  close(): Promise<void> {
    this.pool.closeSync();
    this.instance.closeSync();
    return Promise.resolve();
  }
}

async function readRows<T extends Row>(
  connection: DuckDBConnection,
  sql: string,
  params: Readonly<Record<string, ParamValue>>,
  label: string,
  path: string,
): Promise<T[]> {
  let reader;
  try {
    reader = await connection.runAndReadAll(sql, bindValues(sql, params));
  } catch (error) {
    throw queryError(error, `query ${label}`, path);
  }
  const names = reader.columnNames();
  return reader.getRows().map((values) => {
    const row: Row = {};
    names.forEach((name, i) => { row[name] = toPlainValue(values[i] ?? null); });
    return row as T;
  });
}

function validDates(dates: readonly IsoDate[], table: string): IsoDate[] {
  const bad = dates.filter((date) => !isIsoDate(date));
  if (bad.length > 0) throw new PermanentError(`${table}: not dates (YYYY-MM-DD): ${bad.join(', ')}`);
  return [...new Set(dates)].sort();
}

function summarizeDates(dates: readonly IsoDate[]): string {
  return dates.length === 1 ? String(dates[0]) : `${dates[0]}..${dates[dates.length - 1]} (${dates.length} dates)`;
}

/** The select must produce the table's columns, in its order: anything else is a bug in the transform. */
async function checkSelectColumns(connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>, table: AnalyticsTableSpec): Promise<void> {
  const reader = await connection.runAndReadAll(`SELECT * FROM (${sql}) AS produced LIMIT 0`, params);
  const produced = reader.columnNames();
  const expected = table.columns.map((c) => c.name);
  if (produced.join(',') !== expected.join(',')) {
    throw new PermanentError(
      `${table.name}: the select produced columns (${produced.join(', ')}) but the table has (${expected.join(', ')})`,
    );
  }
}

/** The rows of `target` in each of `dates` that has any: the read-back, and a write's own count in its transaction. */
async function countByDate(connection: DuckDBConnection, target: string, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
  const reader = await connection.runAndReadAll(
    `SELECT game_date, COUNT(*) FROM ${target} WHERE ${d.inArray('game_date', 'dates', 'ARRAY<DATE>')} GROUP BY game_date`,
    { dates: JSON.stringify(dates) },
  );
  return Object.fromEntries(reader.getRows().map(([date, count]) => [String(toPlainValue(date ?? null)), Number(count)]));
}

/** Only when a write is refused: the dates the select produced that are not among `dates`, to name them. */
async function datesOutside(connection: DuckDBConnection, sql: string, params: Record<string, DuckDBValue>, dates: readonly IsoDate[]): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT game_date FROM (${sql}) AS produced ORDER BY game_date`, params);
  return reader.getRows().map(([date]) => String(toPlainValue(date ?? null))).filter((date) => !dates.includes(date));
}
