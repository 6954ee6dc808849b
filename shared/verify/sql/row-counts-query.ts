import type { RenderedQuery, SqlContext } from '../../sql/dialect.js';
import { renderQuery } from '../../sql/render.js';
import type { AnalyticsTableSpec } from '../../tables/types.js';
import type { RunMode } from '../../tables/names.js';
import type { IsoDate } from '../../util/dates.js';
import type { DateCount, ExpectedDate } from '../evaluate-dates.js';
import { inRange } from './in-range.js';
import { LINEAGE_COLUMN } from '../../tables/analytics/columns.js';
import type { RecordedLineage } from '../../lineage/lineage-record.js';
import { toInt, toText } from './values.js';

/**
 * One query: the table's expectation (schedule + raw) beside the table's rows per date in scope, reading only
 * game_date, run_mode and the lineage column of the table's partitions in range.
 */
export function rowCountsQuery(spec: AnalyticsTableSpec, ctx: SqlContext, scope: { start: IsoDate; end: IsoDate; mode: RunMode }): RenderedQuery {
  const { d } = ctx;
  const sql = `WITH expected AS (
  ${spec.expectation(ctx)}
),
counts AS (
  SELECT game_date, COUNT(*) AS n_rows, ${d.countIf(`run_mode <> ${d.param('run_mode', 'STRING')}`)} AS wrong_mode_rows,
    MIN(${LINEAGE_COLUMN}) AS lineage_min, MAX(${LINEAGE_COLUMN}) AS lineage_max,
    ${d.countIf(`${LINEAGE_COLUMN} IS NULL`)} AS untracked_rows
  FROM ${ctx.analytics(spec.name)}
  WHERE ${inRange(ctx)}
  GROUP BY game_date
)
SELECT ${d.formatDate('COALESCE(e.game_date, c.game_date)')} AS game_date,
  e.game_date IS NOT NULL AS has_expectation,
  e.expected_rows, e.source_short_games, c.n_rows, c.wrong_mode_rows,
  c.lineage_min, c.lineage_max, c.untracked_rows
FROM expected AS e
FULL OUTER JOIN counts AS c ON c.game_date = e.game_date`;
  return renderQuery(`verify_rows_${spec.name}`, sql, { start_date: scope.start, end_date: scope.end, run_mode: scope.mode });
}

export interface RowCounts {
  readonly expectations: ExpectedDate[];
  readonly counts: Map<IsoDate, DateCount>;
  /** What each date's rows recorded of their inputs (dates with rows only). */
  readonly lineage: Map<IsoDate, RecordedLineage>;
}

export function parseRowCounts(rows: readonly Record<string, unknown>[]): RowCounts {
  const expectations: ExpectedDate[] = [];
  const counts = new Map<IsoDate, DateCount>();
  const lineage = new Map<IsoDate, RecordedLineage>();
  for (const row of rows) {
    const date = toText(row.game_date);
    if (date === null) throw new TypeError('row count without a game_date');
    if (row.has_expectation === true) expectations.push(expectedDateOf(date, row));
    const n = toInt(row.n_rows);
    if (n > 0) {
      counts.set(date, { rows: n, wrongModeRows: toInt(row.wrong_mode_rows) });
      lineage.set(date, { min: toText(row.lineage_min), max: toText(row.lineage_max), untrackedRows: toInt(row.untracked_rows) });
    }
  }
  return { expectations, counts, lineage };
}

/** One row of a table's expectation SQL (`spec.expectation`), read as the date's expectation: here and for each message's dates. */
export function expectedDateOf(date: IsoDate, row: Record<string, unknown>): ExpectedDate {
  return { date, expectedRows: toInt(row.expected_rows), sourceShortGames: toInt(row.source_short_games) };
}

/** Rows per date of the same table in another dataset (the test dataset, beside production). */
export function datasetCountsQuery(spec: AnalyticsTableSpec, ctx: SqlContext, scope: { start: IsoDate; end: IsoDate }): RenderedQuery {
  const sql = `SELECT ${ctx.d.formatDate('game_date')} AS game_date, COUNT(*) AS n_rows
FROM ${ctx.analytics(spec.name)}
WHERE ${inRange(ctx)}
GROUP BY game_date`;
  return renderQuery(`verify_test_rows_${spec.name}`, sql, { start_date: scope.start, end_date: scope.end });
}

export function parseDatasetCounts(rows: readonly Record<string, unknown>[]): Map<IsoDate, number> {
  const counts = new Map<IsoDate, number>();
  for (const row of rows) {
    const date = toText(row.game_date);
    if (date !== null) counts.set(date, toInt(row.n_rows));
  }
  return counts;
}
