import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { diffDays } from '../../../shared/util/dates.js';
import { latestScheduleGames, openFixtureWarehouse, transformRows, type ScheduleGame } from '../../support/duckdb-fixtures.js';

interface ContextRow {
  game_id: string; game_date: string; season_year: number; team_abbr: string; opponent_team_abbr: string; home_game: boolean;
  days_rest: number | null; is_back_to_back: boolean; games_in_last_7_days: number; games_in_last_14_days: number;
  win_streak_entering: number; loss_streak_entering: number; season_wins_entering: number; season_losses_entering: number;
  game_spread: number | null; game_total: number | null; players_out_count: number;
  [column: string]: unknown;
}

const FEATURES = [
  'days_rest', 'is_back_to_back', 'games_in_last_7_days', 'games_in_last_14_days', 'win_streak_entering',
  'loss_streak_entering', 'season_wins_entering', 'season_losses_entering',
] as const;

/** The contract's "Context features" table, read literally, over latest schedule rows. */
function referenceFeatures(games: readonly ScheduleGame[], game: ScheduleGame, team: string): Record<(typeof FEATURES)[number], unknown> {
  const played = games.filter((g) => g.game_status !== 4 && (g.home_team_abbr === team || g.away_team_abbr === team));
  const before = played.filter((g) => g.game_date < game.game_date);
  const sameSeason = before.filter((g) => g.season_year === game.season_year);
  const previous = sameSeason.map((g) => g.game_date).sort().at(-1);
  const daysRest = previous === undefined ? null : diffDays(game.game_date, previous);
  const within = (days: number) => before.filter((g) => diffDays(game.game_date, g.game_date) <= days).length;
  const results = sameSeason
    .filter((g) => g.game_status === 3 && g.home_score !== null && g.away_score !== null)
    .sort((a, b) => a.game_date.localeCompare(b.game_date) || a.game_id.localeCompare(b.game_id))
    .map((g) => (g.home_team_abbr === team ? Number(g.home_score) > Number(g.away_score) : Number(g.away_score) > Number(g.home_score)));
  let streak = 0;
  for (let i = results.length - 1; i >= 0 && results[i] === results.at(-1); i -= 1) streak += 1;
  return {
    days_rest: daysRest,
    is_back_to_back: daysRest === 1,
    games_in_last_7_days: within(7),
    games_in_last_14_days: within(14),
    win_streak_entering: results.at(-1) === true ? streak : 0,
    loss_streak_entering: results.at(-1) === false ? streak : 0,
    season_wins_entering: results.filter(Boolean).length,
    season_losses_entering: results.filter((won) => !won).length,
  };
}

const pick = (row: ContextRow) => Object.fromEntries(FEATURES.map((f) => [f, row[f]]));
const byKey = (rows: ContextRow[]) => new Map(rows.map((r) => [`${r.game_id}/${r.team_abbr}`, r]));

describe('upcoming_team_game_context transform (DuckDB)', function () {
  describe('on the real fixture slices', function () {
    let warehouse: DuckDbWarehouse;

    before(async function () {
      warehouse = await openFixtureWarehouse();
    });

    after(async function () {
      await warehouse.close();
    });

    it('matches the contract\'s feature definitions for every team of every game', async function () {
      const games = await latestScheduleGames(warehouse);
      const rows = [
        ...await transformRows<ContextRow>(warehouse, 'upcoming_team_game_context', '2021-10-19', '2021-11-20'),
        ...await transformRows<ContextRow>(warehouse, 'upcoming_team_game_context', '2018-04-01', '2018-04-30'),
      ];
      const scheduled = games.filter((g) => g.game_status !== 4
        && ((g.game_date >= '2021-10-19' && g.game_date <= '2021-11-20') || (g.game_date >= '2018-04-01' && g.game_date <= '2018-04-30')));
      assert.equal(rows.length, 2 * scheduled.length);
      const rowsByKey = byKey(rows);
      for (const game of scheduled) {
        for (const team of [game.home_team_abbr, game.away_team_abbr]) {
          const row = rowsByKey.get(`${game.game_id}/${team}`);
          assert.ok(row, `${game.game_id}/${team}`);
          assert.deepEqual(pick(row), referenceFeatures(games, game, team), `${game.game_date} ${game.game_id} ${team}`);
        }
      }
      assert.ok(rows.some((r) => r.win_streak_entering >= 3) && rows.some((r) => r.is_back_to_back), 'the data exercises streaks and back-to-backs');
    });

    it('uses nothing from the game date itself or later: changing those games leaves the features as they were', async function () {
      const scratch = await openFixtureWarehouse();
      try {
        const day = '2021-11-10';
        const before = await transformRows<ContextRow>(scratch, 'upcoming_team_game_context', day, day);
        // Every game from `day` on flips its result, and each team gets an extra game the next day.
        await scratch.run(`UPDATE nba_raw.nbac_schedule SET home_score = away_score, away_score = home_score
          WHERE game_date >= DATE '${day}'`);
        await scratch.run(`INSERT INTO nba_raw.nbac_schedule
          SELECT game_id || 'X', game_date + 1, season_year, season_type, away_team_abbr, home_team_abbr, 100, 90, 3, processed_at
          FROM nba_raw.nbac_schedule WHERE game_date >= DATE '${day}'`);
        const after = byKey(await transformRows<ContextRow>(scratch, 'upcoming_team_game_context', day, day));
        assert.ok(before.length > 0);
        for (const row of before) assert.deepEqual(pick(after.get(`${row.game_id}/${row.team_abbr}`) as ContextRow), pick(row));

        // The same change the day before does show: the test can tell.
        await scratch.run(`UPDATE nba_raw.nbac_schedule SET home_score = away_score, away_score = home_score
          WHERE game_date = DATE '2021-11-09'`);
        const changed = byKey(await transformRows<ContextRow>(scratch, 'upcoming_team_game_context', day, day));
        assert.ok(before.some((row) => JSON.stringify(pick(changed.get(`${row.game_id}/${row.team_abbr}`) as ContextRow)) !== JSON.stringify(pick(row))));
      } finally {
        await scratch.close();
      }
    });
  });

  describe('on a small hand-built schedule', function () {
    let warehouse: DuckDbWarehouse;
    let rows: Map<string, ContextRow>;

    // AAA's season 2023: W, W (back to back), L, a postponed game, L, then an open game on 10-31.
    // Its last game of season 2022 is four days before the opener.
    const schedule: Array<[string, string, number, string, string, number | null, number | null, number, string]> = [
      ['g0', '2023-10-20', 2022, 'AAA', 'EEE', 99, 90, 3, '2023-10-21 08:00:00+00'],
      ['g1', '2023-10-24', 2023, 'AAA', 'BBB', 110, 100, 3, '2023-10-25 08:00:00+00'],
      ['g2', '2023-10-25', 2023, 'CCC', 'AAA', 95, 101, 3, '2023-10-26 08:00:00+00'],
      ['g3', '2023-10-27', 2023, 'AAA', 'DDD', 88, 90, 3, '2023-10-28 08:00:00+00'],
      ['g4', '2023-10-28', 2023, 'AAA', 'BBB', null, null, 1, '2023-10-20 12:00:00+00'],
      ['g4', '2023-10-28', 2023, 'AAA', 'BBB', null, null, 4, '2023-10-28 12:00:00+00'],
      ['g5', '2023-10-30', 2023, 'AAA', 'CCC', 80, 120, 3, '2023-10-31 08:00:00+00'],
      ['g6', '2023-10-31', 2023, 'DDD', 'AAA', null, null, 1, '2023-10-30 12:00:00+00'],
    ];

    before(async function () {
      warehouse = await openFixtureWarehouse({ raw: false });
      const values = schedule.map(([id, date, season, home, away, hs, as, status, at]) =>
        `('${id}', DATE '${date}', ${season}, 'regular_season', '${home}', '${away}', ${hs ?? 'NULL'}, ${as ?? 'NULL'}, ${status}, TIMESTAMPTZ '${at}')`);
      await warehouse.run(`INSERT INTO nba_raw.nbac_schedule VALUES ${values.join(', ')}`);
      const line = (market: string, team: string | null, point: number, at: string, book = 'book_a') =>
        `('g6', DATE '2023-10-31', '${book}', '${market}', ${team ? `'${team}'` : 'NULL'}, ${point}, TIMESTAMPTZ '${at}')`;
      await warehouse.run(`INSERT INTO nba_raw.odds_api_game_lines VALUES
        ${line('spreads', 'AAA', -3.5, '2023-10-30 20:00:00+00')}, ${line('spreads', 'AAA', -4.5, '2023-10-30 23:00:00+00', 'book_b')},
        ${line('spreads', 'AAA', -6.5, '2023-10-31 01:00:00+00')}, ${line('spreads', 'DDD', 4.5, '2023-10-30 23:00:00+00')},
        ${line('totals', null, 220.5, '2023-10-30 10:00:00+00')}, ${line('totals', null, 221.5, '2023-10-30 22:00:00+00')},
        ${line('totals', null, 230, '2023-10-31 12:00:00+00')}`);
      const report = (at: string, team: string, player: string, status: string) =>
        `(CAST(TIMESTAMPTZ '${at}' AS DATE), TIMESTAMPTZ '${at}', 'g6', DATE '2023-10-31', '${team}', '${player}', '${status}', NULL)`;
      await warehouse.run(`INSERT INTO nba_raw.nbac_injury_report VALUES
        ${report('2023-10-30 18:00:00+00', 'AAA', 'p1', 'out')}, ${report('2023-10-30 18:00:00+00', 'AAA', 'p2', 'out')},
        ${report('2023-10-30 18:00:00+00', 'DDD', 'p3', 'out')},
        ${report('2023-10-30 22:00:00+00', 'AAA', 'p1', 'out')}, ${report('2023-10-30 22:00:00+00', 'AAA', 'p2', 'questionable')},
        ${report('2023-10-31 17:00:00+00', 'AAA', 'p1', 'out')}, ${report('2023-10-31 17:00:00+00', 'AAA', 'p2', 'out')},
        ${report('2023-10-31 17:00:00+00', 'AAA', 'p4', 'out')}`);
      rows = byKey(await transformRows<ContextRow>(warehouse, 'upcoming_team_game_context', '2023-10-20', '2023-10-31'));
    });

    after(async function () {
      await warehouse.close();
    });

    const aaa = (gameId: string) => rows.get(`${gameId}/AAA`) as ContextRow;

    it('starts a season with no rest figure and empty records, counting last season\'s games only in the recent-load windows', function () {
      assert.deepEqual(pick(aaa('g1')), {
        days_rest: null, is_back_to_back: false, games_in_last_7_days: 1, games_in_last_14_days: 1,
        win_streak_entering: 0, loss_streak_entering: 0, season_wins_entering: 0, season_losses_entering: 0,
      });
    });

    it('marks a game the day after the previous one as a back-to-back and counts the streak entering it', function () {
      assert.deepEqual(pick(aaa('g2')), {
        days_rest: 1, is_back_to_back: true, games_in_last_7_days: 2, games_in_last_14_days: 2,
        win_streak_entering: 1, loss_streak_entering: 0, season_wins_entering: 1, season_losses_entering: 0,
      });
    });

    it('skips a postponed game for rest and load, and ends a win streak at the first loss', function () {
      assert.deepEqual(pick(aaa('g5')), {
        days_rest: 3, is_back_to_back: false, games_in_last_7_days: 3, games_in_last_14_days: 4,
        win_streak_entering: 0, loss_streak_entering: 1, season_wins_entering: 2, season_losses_entering: 1,
      });
      assert.deepEqual(pick(aaa('g6')), {
        days_rest: 1, is_back_to_back: true, games_in_last_7_days: 4, games_in_last_14_days: 5,
        win_streak_entering: 0, loss_streak_entering: 2, season_wins_entering: 2, season_losses_entering: 2,
      });
    });

    it('writes no row for a game whose latest schedule row says postponed', function () {
      assert.equal(rows.get('g4/AAA'), undefined);
      assert.equal(rows.get('g4/BBB'), undefined);
      assert.equal(rows.size, 2 * 6, 'six games (g0..g6 without g4), two teams each');
    });

    it('takes the spread of the team\'s side and the total from the latest snapshots before the game date', function () {
      assert.equal(aaa('g6').game_spread, -4.5);
      assert.equal(rows.get('g6/DDD')?.game_spread, 4.5);
      assert.equal(aaa('g6').game_total, 221.5);
      assert.equal(aaa('g5').game_spread, null);
    });

    it('counts the team\'s players out in the latest injury report published before the game date', function () {
      assert.equal(aaa('g6').players_out_count, 1);
      assert.equal(rows.get('g6/DDD')?.players_out_count, 0, 'DDD has nobody out in the latest report');
    });
  });
});
