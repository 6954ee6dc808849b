import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../../shared/tables/names.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import { eachDate } from '../../../shared/util/dates.js';
import { latestScheduleGames, openFixtureWarehouse, RUN, runJob, storedRows, transformRows } from '../../support/duckdb-fixtures.js';

/** The three real slices of test/fixtures/raw, each written as one job per table. */
const SLICES = [
  { start: '2018-04-01', end: '2018-05-31' },
  { start: '2021-10-19', end: '2021-11-20' },
  { start: '2024-03-25', end: '2024-04-14' },
] as const;

const teamColumn = (table: AnalyticsTableName) => (table === 'team_defense_game_summary' ? 'defending_team_abbr' : 'team_abbr');
const sortRows = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('analytics transforms on the real fixture slices (DuckDB)', function () {
  let warehouse: DuckDbWarehouse;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    for (const slice of SLICES) {
      for (const table of ANALYTICS_TABLES) await runJob(warehouse, table, slice.start, slice.end);
    }
  });

  after(async function () {
    await warehouse.close();
  });

  for (const table of ANALYTICS_TABLES) {
    describe(table, function () {
      it('writes one row per key', async function () {
        const spec = TABLE_SPECS[table];
        const duplicates = await warehouse.run(`SELECT ${spec.key.join(', ')}, COUNT(*) AS n
          FROM ${warehouse.context('test').analytics(table)} GROUP BY ${spec.key.join(', ')} HAVING COUNT(*) > 1`);
        assert.deepEqual(duplicates, []);
        const [total] = await warehouse.run<{ n: number }>(`SELECT COUNT(*) AS n FROM ${warehouse.context('test').analytics(table)}`);
        assert.ok((total?.n ?? 0) > 100, `${table} has rows`);
      });

      it('writes only game dates of its jobs, each row stamped with the run', async function () {
        const jobDates = new Set(SLICES.flatMap((s) => eachDate(s.start, s.end)));
        const rows = await storedRows<{ game_date: string; run_id: string; run_mode: string; processed_at: string }>(warehouse, table);
        for (const row of rows) {
          assert.ok(jobDates.has(row.game_date), row.game_date);
          assert.deepEqual([row.run_id, row.run_mode, row.processed_at], [RUN.runId, 'test', RUN.processedAt]);
        }
      });

      it('places every row in a schedule game, on the game\'s date, with one of the game\'s two teams', async function () {
        const games = new Map((await latestScheduleGames(warehouse)).map((g) => [g.game_id, g]));
        const rows = await storedRows<Record<string, string>>(warehouse, table);
        for (const row of rows) {
          const game = games.get(String(row.game_id));
          assert.ok(game, `${row.game_id} is in the schedule`);
          assert.equal(row.game_date, game.game_date);
          const team = row[teamColumn(table)];
          if (team === null && table === 'upcoming_player_game_context') continue; // a player with no team anywhere
          assert.ok([game.home_team_abbr, game.away_team_abbr].includes(String(team)), `${row.game_id} ${team}`);
          assert.equal(row.opponent_team_abbr, team === game.home_team_abbr ? game.away_team_abbr : game.home_team_abbr);
        }
      });

      it('gives the same rows for a range written as one job or one date at a time', async function () {
        // Across the end of the 2017-18 regular season and the start of its playoffs.
        const [start, end] = ['2018-04-09', '2018-04-16'];
        const whole = await transformRows(warehouse, table, start, end);
        const daily = [];
        for (const date of eachDate(start, end)) daily.push(...await transformRows(warehouse, table, date, date));
        assert.ok(whole.length > 0);
        assert.deepEqual(sortRows(daily), sortRows(whole));
      });
    });
  }

  it('leaves no critical column NULL where the source data is complete', async function () {
    const complete: Record<AnalyticsTableName, string> = {
      team_offense_game_summary: 'TRUE',
      team_defense_game_summary: 'TRUE',
      upcoming_team_game_context: 'TRUE',
      // The 2018 playoffs have a complete gamebook.
      player_game_summary: `game_date BETWEEN DATE '2018-04-14' AND DATE '2018-05-31'`,
      upcoming_player_game_context: `game_date BETWEEN DATE '2018-04-14' AND DATE '2018-05-31'`,
    };
    for (const table of ANALYTICS_TABLES) {
      const critical = TABLE_SPECS[table].columns.filter((c) => !c.nullable).map((c) => c.name);
      const [row] = await warehouse.run<Record<string, number>>(`SELECT COUNT(*) AS total,
        ${critical.map((c) => `COUNT(*) - COUNT(${c}) AS ${c}`).join(', ')}
        FROM ${warehouse.context('test').analytics(table)} WHERE ${complete[table]}`);
      assert.ok((row?.total ?? 0) > 0, table);
      for (const column of critical) assert.equal(row?.[column], 0, `${table}.${column} has NULLs`);
    }
  });
});
