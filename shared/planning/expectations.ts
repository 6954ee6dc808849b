import type { Warehouse } from '../ports/warehouse.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { renderQuery } from '../sql/render.js';
import type { ExpectedDate } from '../verify/evaluate-dates.js';
import { expectedDateOf } from '../verify/sql/row-counts-query.js';

/** Where a worker gets the expectations of a message's dates: the warehouse (`warehouseExpectations`) or a plan's. */
export type ExpectationSource = (spec: AnalyticsTableSpec, mode: RunMode, start: IsoDate, end: IsoDate) => Promise<ReadonlyMap<IsoDate, ExpectedDate>>;

/** The expectations read from the warehouse for each message: what every worker on Cloud does. */
export function warehouseExpectations(warehouse: Warehouse): ExpectationSource {
  return (spec, mode, start, end) => loadExpectations(warehouse, spec, mode, start, end);
}

/** A table's expectations as a plan read them: every date with games in [start, end], from the same expectation SQL. */
export interface PlannedExpectations {
  readonly start: IsoDate;
  readonly end: IsoDate;
  readonly dates: readonly ExpectedDate[];
}

/**
 * The expectations a plan read, for the messages of the run it planned, in the process that planned it: the local
 * runner, which holds its data dir for the whole run (no other process can load raw data into it meanwhile), so the
 * schedule and raw inputs the plan read are the ones every write reads. It saves each table's expectation query,
 * 0.2-0.4 s each on the sample's whole range. A table, mode or range the plan did not read goes to `fallback`.
 * On Cloud raw data can change while a run goes on, and each worker reads its own (`warehouseExpectations`).
 */
export function plannedExpectations(
  mode: RunMode,
  planned: Readonly<Partial<Record<AnalyticsTableSpec['name'], PlannedExpectations>>>,
  fallback: ExpectationSource,
): ExpectationSource {
  return (spec, asked, start, end) => {
    const read = planned[spec.name];
    if (asked !== mode || !read || start < read.start || end > read.end) return fallback(spec, asked, start, end);
    const result = new Map<IsoDate, ExpectedDate>();
    for (const e of read.dates) if (e.date >= start && e.date <= end) result.set(e.date, e);
    return Promise.resolve(result);
  };
}

interface ExpectationRow extends Record<string, unknown> {
  game_date: string;
  expected_rows: number;
  source_short_games: number;
}

/** Expectations for every date in [start, end] on which the table has games. */
export async function loadExpectations(
  warehouse: Warehouse,
  spec: AnalyticsTableSpec,
  mode: RunMode,
  start: IsoDate,
  end: IsoDate,
): Promise<Map<IsoDate, ExpectedDate>> {
  const ctx = warehouse.context(mode);
  const query = renderQuery(
    `expectation_${spec.name}`,
    `SELECT game_date, expected_rows, source_short_games FROM (${spec.expectation(ctx)}) AS e ORDER BY game_date`,
    { start_date: start, end_date: end },
  );
  const { rows } = await warehouse.query<ExpectationRow>(query);
  const result = new Map<IsoDate, ExpectedDate>();
  for (const row of rows) {
    const date = String(row.game_date);
    result.set(date, expectedDateOf(date, row));
  }
  return result;
}
