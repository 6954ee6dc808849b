import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { AnalyticsTableName } from '../../../shared/tables/names.js';
import {
  expectationRows, latestScheduleGames, openFixtureWarehouse, runJob, type ExpectationRow, type ScheduleGame,
} from '../../support/duckdb-fixtures.js';

interface GamebookRow { game_id: string; team_abbr: string; player_lookup: string; player_status: string }

/** Per game: distinct players listed and active players per team, straight from the raw gamebook. */
async function gamebookByGame(warehouse: DuckDbWarehouse) {
  const rows = await warehouse.run<GamebookRow & Record<string, unknown>>(
    'SELECT game_id, team_abbr, player_lookup, player_status FROM nba_raw.nbac_gamebook_player_stats');
  const games = new Map<string, { listed: Set<string>; active: Map<string, Set<string>> }>();
  for (const row of rows) {
    const game = games.get(row.game_id) ?? { listed: new Set<string>(), active: new Map<string, Set<string>>() };
    game.listed.add(row.player_lookup);
    if (row.player_status === 'active') {
      game.active.set(row.team_abbr, (game.active.get(row.team_abbr) ?? new Set<string>()).add(row.player_lookup));
    }
    games.set(row.game_id, game);
  }
  return games;
}

function groupByDate(games: readonly ScheduleGame[]): Map<string, ScheduleGame[]> {
  const dates = new Map<string, ScheduleGame[]>();
  for (const game of games) dates.set(game.game_date, [...(dates.get(game.game_date) ?? []), game]);
  return dates;
}

describe('table expectations (DuckDB, real fixture slices)', function () {
  let warehouse: DuckDbWarehouse;
  let finals: ScheduleGame[];
  let gamebook: Awaited<ReturnType<typeof gamebookByGame>>;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    finals = (await latestScheduleGames(warehouse)).filter((g) => g.game_status === 3);
    gamebook = await gamebookByGame(warehouse);
  });

  after(async function () {
    await warehouse.close();
  });

  const inRange = (start: string, end: string) => finals.filter((g) => g.game_date >= start && g.game_date <= end);
  const shortGamebook = (game: ScheduleGame) => {
    const active = gamebook.get(game.game_id)?.active;
    return [game.home_team_abbr, game.away_team_abbr].some((team) => (active?.get(team)?.size ?? 0) < 5);
  };

  for (const table of ['team_offense_game_summary', 'team_defense_game_summary'] as const) {
    it(`expects two ${table} rows per final game on each date, none short on the real data`, async function () {
      const expected = await expectationRows(warehouse, table, '2018-03-25', '2024-04-30');
      const dates = groupByDate(inRange('2018-03-25', '2024-04-30'));
      assert.deepEqual([...expected.keys()].sort(), [...dates.keys()].sort());
      for (const [date, games] of dates) {
        assert.deepEqual(expected.get(date), { game_date: date, expected_rows: 2 * games.length, source_short_games: 0, scheduled_games: games.length });
      }
    });
  }

  it('counts a final game missing a team box score as short in both team tables', async function () {
    const scratch = await openFixtureWarehouse();
    try {
      const game = inRange('2021-11-03', '2021-11-03')[0] as ScheduleGame;
      await scratch.run(`DELETE FROM nba_raw.nbac_team_boxscore WHERE game_id = '${game.game_id}' AND team_abbr = '${game.home_team_abbr}'`);
      for (const table of ['team_offense_game_summary', 'team_defense_game_summary'] as const) {
        const row = (await expectationRows(scratch, table, game.game_date, game.game_date)).get(game.game_date);
        assert.equal(row?.source_short_games, 1, table);
        assert.equal(row?.expected_rows, 2 * inRange(game.game_date, game.game_date).length, 'what is expected comes from the schedule');
      }
    } finally {
      await scratch.close();
    }
  });

  it('marks every final game short in the player summary when the gamebook is missing (2021-22 regular season)', async function () {
    const expected = await expectationRows(warehouse, 'player_game_summary', '2021-10-19', '2021-11-20');
    const dates = groupByDate(inRange('2021-10-19', '2021-11-20'));
    assert.equal(expected.size, dates.size);
    for (const [date, games] of dates) {
      assert.deepEqual(expected.get(date), { game_date: date, expected_rows: 0, source_short_games: games.length, scheduled_games: games.length });
    }
  });

  it('expects each listed player of a complete gamebook and finds no short game (2018 playoffs)', async function () {
    const expected = await expectationRows(warehouse, 'player_game_summary', '2018-04-14', '2018-04-30');
    const dates = groupByDate(inRange('2018-04-14', '2018-04-30'));
    assert.equal(expected.size, dates.size);
    for (const [date, games] of dates) {
      const listed = games.reduce((sum, g) => sum + (gamebook.get(g.game_id)?.listed.size ?? 0), 0);
      assert.deepEqual(expected.get(date), { game_date: date, expected_rows: listed, source_short_games: 0, scheduled_games: games.length });
    }
  });

  it('counts short player games date by date where the 2023-24 gamebook stops (from 2024-04-08)', async function () {
    const expected = await expectationRows(warehouse, 'player_game_summary', '2024-04-01', '2024-04-14');
    for (const [date, games] of groupByDate(inRange('2024-04-01', '2024-04-14'))) {
      const row = expected.get(date) as ExpectationRow;
      assert.equal(row.source_short_games, games.filter(shortGamebook).length, date);
      assert.equal(row.source_short_games === games.length, date >= '2024-04-08', date);
    }
  });

  it('expects two team context rows per scheduled game, postponed games left out, never short', async function () {
    const scratch = await openFixtureWarehouse();
    try {
      const game = inRange('2021-11-05', '2021-11-05')[0] as ScheduleGame;
      await scratch.run(`INSERT INTO nba_raw.nbac_schedule SELECT * REPLACE (4 AS game_status, processed_at + INTERVAL 1 DAY AS processed_at)
        FROM nba_raw.nbac_schedule WHERE game_id = '${game.game_id}' AND game_status = 3`);
      const scheduled = inRange('2021-11-05', '2021-11-05').length - 1;
      const row = (await expectationRows(scratch, 'upcoming_team_game_context', '2021-11-05', '2021-11-05')).get('2021-11-05');
      assert.deepEqual(row, { game_date: '2021-11-05', expected_rows: 2 * scheduled, source_short_games: 0, scheduled_games: scheduled });
    } finally {
      await scratch.close();
    }
  });

  it('expects the gamebook and prop players of the player context and counts only final games as short', async function () {
    const scratch = await openFixtureWarehouse();
    try {
      const [played, upcoming] = inRange('2024-04-07', '2024-04-07') as [ScheduleGame, ScheduleGame];
      // One game not played yet, with a prop line for a player the gamebook cannot list yet.
      await scratch.run(`INSERT INTO nba_raw.nbac_schedule SELECT * REPLACE (1 AS game_status, NULL AS home_score, NULL AS away_score,
        processed_at + INTERVAL 1 DAY AS processed_at) FROM nba_raw.nbac_schedule WHERE game_id = '${upcoming.game_id}' AND game_status = 3`);
      await scratch.run(`DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${upcoming.game_id}'`);
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ('${upcoming.game_id}', DATE '2024-04-07', 'someplayer', 'book', 10.5, TIMESTAMPTZ '2024-04-06 20:00:00+00'),
        ('${upcoming.game_id}', DATE '2024-04-07', 'someplayer', 'book', 11.5, TIMESTAMPTZ '2024-04-06 22:00:00+00'),
        ('${played.game_id}', DATE '2024-04-07', '${[...(gamebook.get(played.game_id)?.listed ?? [])][0]}', 'book', 9.5, TIMESTAMPTZ '2024-04-06 20:00:00+00')`);
      const games = inRange('2024-04-07', '2024-04-07');
      const listed = games.filter((g) => g.game_id !== upcoming.game_id).reduce((sum, g) => sum + (gamebook.get(g.game_id)?.listed.size ?? 0), 0);
      const row = (await expectationRows(scratch, 'upcoming_player_game_context', '2024-04-07', '2024-04-07')).get('2024-04-07');
      assert.deepEqual(row, { game_date: '2024-04-07', expected_rows: listed + 1, source_short_games: 0, scheduled_games: games.length });
    } finally {
      await scratch.close();
    }
  });

  it('is met exactly by what the transforms write on complete dates', async function () {
    const scratch = await openFixtureWarehouse();
    try {
      const check = async (table: AnalyticsTableName, start: string, end: string) => {
        const produced = await runJob(scratch, table, start, end);
        for (const [date, row] of await expectationRows(scratch, table, start, end)) {
          if (row.source_short_games === 0) assert.equal(produced[date], row.expected_rows, `${table} ${date}`);
        }
      };
      for (const table of ['team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context', 'player_game_summary'] as const) {
        await check(table, '2018-04-01', '2018-04-30');
        await check(table, '2024-03-25', '2024-04-14');
      }
      await check('upcoming_player_game_context', '2018-04-01', '2018-04-30');
      await check('upcoming_player_game_context', '2024-03-25', '2024-04-14');
    } finally {
      await scratch.close();
    }
  });
});
