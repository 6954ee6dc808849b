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
 * A version of each partition of the raw tables and of the mode's analytics tables, as the engine's metadata
 * says: any write to a partition changes its version (identical content written again may change it too).
 * Keys are `raw.<table>` and `analytics.<table>`, then the partition's date.
 */
export type PartitionVersions = Readonly<Record<string, Readonly<Record<IsoDate, string>>>>;

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
  /**
   * Partition versions from metadata, for coverage healing to look only at what changed since its last pass
   * (BigQuery: INFORMATION_SCHEMA.PARTITIONS, billed 10 MB per query). Absent: every pass looks at everything.
   */
  partitionVersions?(mode: RunMode): Promise<PartitionVersions>;
  /** Rows now in the table per date (the read-back). Dates with none are 0. */
  countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>>;
  close(): Promise<void>;
}
