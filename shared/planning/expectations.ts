import type { Warehouse } from '../ports/warehouse.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { RunMode } from '../tables/names.js';
import type { IsoDate } from '../util/dates.js';
import { renderQuery } from '../sql/render.js';

/** What the contract says one date of one table must hold, from the schedule and raw inputs. */
export interface DateExpectation {
  readonly gameDate: IsoDate;
  readonly expectedRows: number;
  /** Games whose raw data is short (contract's no_source); > 0 means the date cannot be complete. */
  readonly sourceShortGames: number;
  readonly scheduledGames: number;
}

interface ExpectationRow extends Record<string, unknown> {
  game_date: string;
  expected_rows: number;
  source_short_games: number;
  scheduled_games: number;
}

/** Expectations for every date in [start, end] on which the table has games. */
export async function loadExpectations(
  warehouse: Warehouse,
  spec: AnalyticsTableSpec,
  mode: RunMode,
  start: IsoDate,
  end: IsoDate,
): Promise<Map<IsoDate, DateExpectation>> {
  const ctx = warehouse.context(mode);
  const query = renderQuery(
    `expectation_${spec.name}`,
    `SELECT game_date, expected_rows, source_short_games, scheduled_games FROM (${spec.expectation(ctx)}) AS e ORDER BY game_date`,
    { start_date: start, end_date: end },
  );
  const { rows } = await warehouse.query<ExpectationRow>(query);
  const result = new Map<IsoDate, DateExpectation>();
  for (const row of rows) {
    result.set(String(row.game_date), {
      gameDate: String(row.game_date),
      expectedRows: Number(row.expected_rows),
      sourceShortGames: Number(row.source_short_games),
      scheduledGames: Number(row.scheduled_games),
    });
  }
  return result;
}
