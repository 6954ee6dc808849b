import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory } from '../../../adapters/duckdb/load-raw.js';
import { loadExpectations } from '../../../shared/planning/expectations.js';
import { partitionWrite } from '../../../shared/chunks/partition-write.js';
import { ANALYTICS_TABLES, type AnalyticsTableName, type RunMode } from '../../../shared/tables/names.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import type { IsoDate } from '../../../shared/util/dates.js';

/** test/fixtures/raw from dist/test/shared/verify. */
export const FIXTURE_RAW_DIR = fileURLToPath(new URL('../../../../test/fixtures/raw/', import.meta.url));
/** Every game date the fixtures hold. */
export const FIXTURE_RANGE = { start: '2018-04-01', end: '2024-04-14' } as const;

/** An in-memory warehouse with the fixture slices loaded into nba_raw. */
export async function openFixtureWarehouse(rawDir = FIXTURE_RAW_DIR): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  await loadRawDirectory(warehouse, rawDir);
  return warehouse;
}

/**
 * Writes a table the way the backfill does: its transform, rendered for the warehouse's mode, replacing
 * the partitions of every date its expectation lists in [start, end] (or of `dates`).
 */
export async function writeTable(
  warehouse: DuckDbWarehouse,
  table: AnalyticsTableName,
  range: { start: IsoDate; end: IsoDate; mode?: RunMode },
): Promise<void> {
  const mode = range.mode ?? 'production';
  const spec = TABLE_SPECS[table];
  const expectations = await loadExpectations(warehouse, spec, mode, range.start, range.end);
  if (expectations.size === 0) return;
  const write = await partitionWrite(warehouse, spec, { runId: `fixture-${mode}`, mode, startedAt: Date.parse('2024-07-01T00:00:00Z') }, [...expectations.keys()]);
  await warehouse.replacePartitions(write.request);
}

export async function writeAllTables(warehouse: DuckDbWarehouse, range: { start: IsoDate; end: IsoDate; mode?: RunMode }): Promise<void> {
  for (const table of ANALYTICS_TABLES) await writeTable(warehouse, table, range);
}

export interface ScheduleGame {
  readonly gameId: string;
  readonly gameDate: IsoDate;
  readonly home: string;
  readonly away: string;
  readonly homeScore: number | null;
  readonly awayScore: number | null;
  readonly status: number;
}

/**
 * The latest schedule row per game straight from the fixture CSV: an oracle independent of the SQL
 * under test. (No schedule field holds a comma.)
 */
export function fixtureSchedule(rawDir = FIXTURE_RAW_DIR): ScheduleGame[] {
  const [header, ...lines] = readFileSync(`${rawDir}/nbac_schedule.csv`, 'utf8').trim().split(/\r?\n/);
  const names = (header ?? '').split(',');
  const at = (name: string) => names.indexOf(name);
  const latest = new Map<string, { processedAt: string; game: ScheduleGame }>();
  for (const line of lines) {
    const f = line.split(',');
    const value = (name: string) => f[at(name)] ?? '';
    const score = (name: string) => (value(name) === '' ? null : Number(value(name)));
    const game: ScheduleGame = {
      gameId: value('game_id'),
      gameDate: value('game_date'),
      home: value('home_team_abbr'),
      away: value('away_team_abbr'),
      homeScore: score('home_score'),
      awayScore: score('away_score'),
      status: Number(value('game_status')),
    };
    const seen = latest.get(game.gameId);
    if (!seen || value('processed_at') > seen.processedAt) latest.set(game.gameId, { processedAt: value('processed_at'), game });
  }
  return [...latest.values()].map((v) => v.game).sort((a, b) => (a.gameDate + a.gameId < b.gameDate + b.gameId ? -1 : 1));
}
