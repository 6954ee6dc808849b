import type { DialectName, RenderedQuery, SqlContext } from '../sql/dialect.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';

export type Row = Record<string, unknown>;

export interface QueryResult<T extends Row = Row> {
  readonly rows: T[];
  /** BigQuery's totalBytesProcessed; undefined where the engine does not say. */
  readonly bytesProcessed?: number;
}

export interface ReplacePartitionsRequest {
  readonly table: AnalyticsTableSpec;
  readonly mode: RunMode;
  /** Game dates whose partitions are replaced, whole, by what `select` produces for them. */
  readonly dates: readonly IsoDate[];
  /** The table's transform, rendered for this warehouse, producing rows only for `dates`. */
  readonly select: RenderedQuery;
  /** Job labels (run id, table) where the engine supports them. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface ReplacePartitionsResult {
  /** Rows the transform produced per date, counted inside the same atomic write. Dates with none are 0. */
  readonly producedByDate: Readonly<Record<IsoDate, number>>;
}

/**
 * The analytics warehouse. BigQuery in the cloud, DuckDB on one machine. Every query the core runs
 * is written once and rendered through `context()`; the adapter only executes.
 */
export interface Warehouse {
  readonly dialect: DialectName;
  /** How queries name tables in this warehouse, for the datasets of a mode. */
  context(mode: RunMode): SqlContext;
  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>>;
  /** Replace the partitions of `dates` atomically: after it, each holds exactly the rows `select` made, or nothing changed. */
  replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult>;
  /** Rows now in the table per date (the read-back). Dates with none are 0. */
  countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>>;
  close(): Promise<void>;
}
