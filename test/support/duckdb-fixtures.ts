import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory } from '../../adapters/duckdb/load-raw.js';
import type { Row } from '../../shared/ports/warehouse.js';
import { renderQuery } from '../../shared/sql/render.js';
import { partitionWrite } from '../../shared/chunks/partition-write.js';
import type { RenderedQuery } from '../../shared/sql/dialect.js';
import type { AnalyticsTableName, RunMode } from '../../shared/tables/names.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import { eachDate, type IsoDate } from '../../shared/util/dates.js';

/** The real NBA slices of test/fixtures/raw (see its README). Tests run from dist/test/support. */
export const FIXTURE_RAW_DIR = fileURLToPath(new URL('../../../test/fixtures/raw/', import.meta.url));

/**
 * What history first adds to a run of the fixture's 2018 playoffs on an empty warehouse: the player context reads
 * every earlier team_defense_game_summary date, and the fixture's regular-season end (2018-04-01..2018-04-11) has
 * 10 game dates without it (player_game_summary has nothing to build there: the gamebook covers the playoffs only).
 */
export const HISTORY_BEFORE_2018_PLAYOFFS = 10;

export const RUN = { runId: 'test-run', processedAt: '2025-01-15T12:00:00.000Z' } as const;

/** An in-memory warehouse with the contract's tables, and the fixture slices loaded unless `raw: false`. */
export async function openFixtureWarehouse(options: { raw?: boolean } = {}): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  if (options.raw !== false) await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
  return warehouse;
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A table's transform for [start, end], rendered for the warehouse, as a chunk processor would. */
export function transformQuery(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  start: IsoDate,
  end: IsoDate,
  mode: RunMode = 'test',
): RenderedQuery {
  const sql = TABLE_SPECS[table].transform(warehouse.context(mode));
  return renderQuery(`transform_${table}`, sql, {
    start_date: start, end_date: end, run_id: RUN.runId, run_mode: mode, processed_at: RUN.processedAt,
  });
}

/** Writes every date of [start, end] of a table, in one job, as a chunk processor does; returns the rows produced per date. */
export async function runJob(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  start: IsoDate,
  end: IsoDate,
  mode: RunMode = 'test',
): Promise<Record<IsoDate, number>> {
  const write = await partitionWrite(warehouse, TABLE_SPECS[table], { runId: RUN.runId, mode, startedAt: Date.parse(RUN.processedAt) }, eachDate(start, end));
  const result = await warehouse.replacePartitions(write.request);
  return { ...result.producedByDate };
}

/** The transform's rows for [start, end] without writing them. */
export async function transformRows<T extends Row = Row>(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  start: IsoDate,
  end: IsoDate,
  mode: RunMode = 'test',
): Promise<T[]> {
  return (await warehouse.query<T>(transformQuery(warehouse, table, start, end, mode))).rows;
}

export interface ExpectationRow extends Row {
  game_date: string;
  expected_rows: number;
  source_short_games: number;
  scheduled_games: number;
}

/** The table's expectation rows for [start, end], by date. */
export async function expectationRows(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  start: IsoDate,
  end: IsoDate,
  mode: RunMode = 'test',
): Promise<Map<IsoDate, ExpectationRow>> {
  const sql = TABLE_SPECS[table].expectation(warehouse.context(mode));
  const { rows } = await warehouse.query<ExpectationRow>(
    renderQuery(`expectation_${table}`, sql, { start_date: start, end_date: end }),
  );
  return new Map(rows.map((row) => [row.game_date, row]));
}

/** Rows of an analytics table, as stored. */
export async function storedRows<T extends Row = Row>(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  mode: RunMode = 'test',
  where = 'TRUE',
): Promise<T[]> {
  const ctx = warehouse.context(mode);
  return warehouse.run<T>(`SELECT * FROM ${ctx.analytics(table)} WHERE ${where} ORDER BY ALL`);
}

/** Latest schedule row per game, read straight from nba_raw (independent of the transforms' SQL). */
export interface ScheduleGame extends Row {
  game_id: string;
  game_date: string;
  season_year: number;
  home_team_abbr: string;
  away_team_abbr: string;
  home_score: number | null;
  away_score: number | null;
  game_status: number;
}

export async function latestScheduleGames(warehouse: DuckDbWarehouse): Promise<ScheduleGame[]> {
  const rows = await warehouse.run<ScheduleGame & { processed_at: string }>(
    'SELECT * FROM nba_raw.nbac_schedule ORDER BY game_id, processed_at',
  );
  const latest = new Map<string, ScheduleGame>();
  for (const row of rows) latest.set(row.game_id, row);
  return [...latest.values()].sort((a, b) => a.game_date.localeCompare(b.game_date) || a.game_id.localeCompare(b.game_id));
}
