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
}

export interface AnalyticsTableSpec {
  readonly name: AnalyticsTableName;
  readonly description: string;
  /** Every column, in the order the transform selects them; includes run_id, run_mode, processed_at. */
  readonly columns: readonly ColumnSpec[];
  readonly key: readonly string[];
  readonly partitionColumn: 'game_date';
  readonly rawInputs: readonly RawTableName[];
  readonly upstream: readonly UpstreamDependency[];
  /** How many days of raw history before D the transform reads (for docs and cost estimates). */
  readonly rawLookbackDays: number | 'season';
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
