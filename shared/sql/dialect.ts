import type { ColumnType } from '../tables/types.js';
import { ANALYTICS_DATASETS, RAW_DATASET, type RunMode } from '../tables/names.js';

export const DIALECTS = ['bigquery', 'duckdb'] as const;
export type DialectName = (typeof DIALECTS)[number];

export type ParamType = 'DATE' | 'STRING' | 'TIMESTAMP' | 'INT64' | 'ARRAY<DATE>' | 'ARRAY<STRING>';
export type ParamValue = string | number | boolean | null | readonly string[];

/**
 * The gaps between BigQuery and DuckDB SQL, in one place. Every query is written once against this
 * interface and rendered per dialect.
 */
export interface Dialect {
  readonly name: DialectName;
  /** Fully qualified table reference. */
  table(dataset: string, table: string): string;
  /** A typed parameter reference. */
  param(name: string, type: ParamType): string;
  /** `x IN <array param>`. */
  inArray(expr: string, param: string, type: 'ARRAY<DATE>' | 'ARRAY<STRING>'): string;
  dateAddDays(dateExpr: string, days: number | string): string;
  dateSubDays(dateExpr: string, days: number | string): string;
  /** Whole days from `from` to `to` (to - from). */
  dateDiffDays(to: string, from: string): string;
  /**
   * Days since 1970-01-01 as INT64. Window frames over dates use it: BigQuery accepts `RANGE` offsets
   * only over a numeric ORDER BY, so "games in the 7 days before D" is a RANGE over day numbers.
   */
  dayNumber(dateExpr: string): string;
  /**
   * The TIMESTAMP at 00:00 UTC of a DATE. "Before the game date" for timestamped snapshots means before
   * this instant, whatever the session time zone is.
   */
  utcMidnight(dateExpr: string): string;
  safeDivide(numerator: string, denominator: string): string;
  safeCast(expr: string, type: ColumnType): string;
  cast(expr: string, type: ColumnType): string;
  /** 'YYYY-MM-DD' text of a DATE. */
  formatDate(dateExpr: string): string;
  /** Decimal rounded to `places` places, typed NUMERIC. */
  numeric(expr: string, places: number): string;
  /** BigQuery's COUNTIF. */
  countIf(condition: string): string;
  /** The DDL type of a contract column type. */
  columnType(type: ColumnType): string;
  /**
   * `name AS`, opening a CTE that is cheaper read again where it is used than stored once: DuckDB stores
   * (materializes) a CTE used more than once unless it is declared NOT MATERIALIZED. The rows are the same.
   */
  inlineCte(name: string): string;
  /** Array aggregate of distinct strings, limited. */
  arrayAggLimit(expr: string, orderBy: string, limit: number): string;
  /**
   * Aggregate: `expr` of the group's first row in `orderBy` order (NULL for an empty group). `orderBy` must
   * order the rows totally, with no NULL in its keys: the engines place NULLs at different ends.
   */
  firstInOrder(expr: string, orderBy: string): string;
  /**
   * Aggregate: a 64-bit fingerprint of the group's rows over `columns`, as decimal text. Order-independent
   * (BIT_XOR of a hash of each row's JSON), so the same rows give the same text whatever the storage order;
   * stable across engine versions (FARM_FINGERPRINT on BigQuery, MD5 on DuckDB). Engines need not agree.
   */
  fingerprintAgg(columns: readonly string[]): string;
  /**
   * A derived table of two equally long array parameters side by side: one row per position, a DATE column
   * `keyAlias` from `keysParam` and a STRING column `valueAlias` from `valuesParam`.
   */
  zippedParams(keysParam: string, valuesParam: string, keyAlias: string, valueAlias: string): string;
}

/** What a query needs to name tables: the dialect plus where the raw and analytics data live. */
export interface SqlContext {
  readonly d: Dialect;
  raw(table: string): string;
  analytics(table: string): string;
}

export interface RenderedQuery {
  readonly sql: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly types: Readonly<Record<string, ParamType>>;
  /** Short name for logs, job labels and bytes-processed reports. */
  readonly label: string;
}

/** The SqlContext of a mode: raw tables in nba_raw, analytics tables in the mode's dataset. */
export function sqlContextFor(d: Dialect, mode: RunMode): SqlContext {
  return {
    d,
    raw: (table) => d.table(RAW_DATASET, table),
    analytics: (table) => d.table(ANALYTICS_DATASETS[mode], table),
  };
}
