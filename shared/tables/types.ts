import type { AnalyticsTableName, RawTableName } from './names.js';
import type { SqlContext } from '../sql/dialect.js';

export const COLUMN_TYPES = ['STRING', 'INT64', 'NUMERIC', 'BOOL', 'DATE', 'TIMESTAMP'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** `NULL ok` in the contract; every other column is critical. */
  readonly nullable: boolean;
  readonly description?: string;
  /** The values the contract allows (a domain), written as in the CSV; any value of the type when absent. */
  readonly allowed?: readonly string[];
}

export interface RawTableSpec {
  readonly name: RawTableName;
  readonly columns: readonly ColumnSpec[];
  /** The column that places a row on a game date (injury reports are partitioned by report_date but carry game_date). */
  readonly dateColumn: string;
  /**
   * The DATE column the scrapers partition the table by in BigQuery (the contract: game_date, but report_date for
   * injury reports). Every query that reads the table filters this column with a bounded range, so the service
   * works where the table sets require_partition_filter, and scans only the partitions it needs.
   */
  readonly partitionColumn: string;
}

/**
 * Which dates of a raw table a partition for game date D is built from:
 * - `same_date`: the rows dated D (by the table's dateColumn);
 * - `season_to_date`: the rows of D's season dated up to D, and of the `daysBefore` days before D whatever
 *   their season (season records and streaks, games in the last 14 days).
 */
export type RawWindow = { readonly kind: 'same_date' } | { readonly kind: 'season_to_date'; readonly daysBefore: number };

export interface RawRead {
  readonly table: RawTableName;
  readonly window: RawWindow;
}

/**
 * An analytics table this one reads. A chunk for date D reads the upstream partitions dated
 * [D - lookbackDays, D - 1]; `'all'` means every earlier date (e.g. "last 10 games, any season").
 * Same-date reads are `sameDate: true`.
 */
export interface UpstreamDependency {
  readonly table: AnalyticsTableName;
  readonly lookbackDays: number | 'all';
  readonly sameDate: boolean;
  /**
   * The upstream columns the transform reads. The partition's input fingerprint covers these only, so a change
   * in a column the transform never reads does not make it stale.
   */
  readonly columns: readonly string[];
}

export interface AnalyticsTableSpec {
  readonly name: AnalyticsTableName;
  readonly description: string;
  /**
   * Every column of the table, in order: the transform's (ending with run_id, run_mode, processed_at), then the
   * lineage column the write adds (LINEAGE_COLUMNS: the input fingerprints of the partition).
   */
  readonly columns: readonly ColumnSpec[];
  readonly key: readonly string[];
  readonly partitionColumn: 'game_date';
  /** The raw tables the transform reads, and which of their dates a partition for D is built from. */
  readonly rawReads: readonly RawRead[];
  readonly upstream: readonly UpstreamDependency[];
  /**
   * Bumped when the transform's meaning changes: every partition written by an earlier version is then `stale`
   * (its input fingerprints name the transform version that wrote it).
   */
  readonly transformVersion: number;
  /**
   * One SELECT producing exactly `columns`, for every game date in [@start_date, @end_date].
   * Parameters: start_date, end_date (DATE), run_id, run_mode (STRING), processed_at (TIMESTAMP).
   */
  readonly transform: (ctx: SqlContext) => string;
  /**
   * One SELECT of (game_date DATE, expected_rows INT64, source_short_games INT64, scheduled_games INT64)
   * for every schedule date in [@start_date, @end_date] that has games counting for this table:
   * what the contract says must exist, computed from the schedule and the raw inputs, never from this table.
   */
  readonly expectation: (ctx: SqlContext) => string;
}
