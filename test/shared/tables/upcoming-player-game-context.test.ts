import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { diffDays } from '../../../shared/util/dates.js';
import { latestScheduleGames, openFixtureWarehouse, runJob, storedRows, transformRows, type ScheduleGame } from '../../support/duckdb-fixtures.js';

interface ContextRow {
  game_id: string; game_date: string; season_year: number; player_lookup: string; team_abbr: string | null;
  opponent_team_abbr: string | null; home_game: boolean | null; days_rest: number | null; is_back_to_back: boolean;
  games_in_last_7_days: number; games_in_last_14_days: number; minutes_in_last_7_days: number;
  points_avg_last_5: number | null; points_avg_last_10: number | null; has_prop_line: boolean;
  current_points_line: number | null; opening_points_line: number | null; line_movement: number | null;
  injury_status: string | null; opponent_def_rating_last_10: number | null;
  [column: string]: unknown;
}

interface PlayerGame {
  game_id: string; game_date: string; season_year: number; player_lookup: string; team_abbr: string; is_active: boolean;
  minutes_played: number | null; points: number | null;
}

interface DefenseGame { game_id: string; game_date: string; defending_team_abbr: string; defensive_rating: number }

const SLICES = [['2018-04-01', '2018-05-31'], ['2024-03-25', '2024-04-14']] as const;
const byGameDate = <T extends { game_date: string; game_id: string }>(a: T, b: T) =>
  a.game_date.localeCompare(b.game_date) || a.game_id.localeCompare(b.game_id);
const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
const key = (row: { game_id: string; player_lookup: string }) => `${row.game_id}/${row.player_lookup}`;

function groupBy<T>(items: readonly T[], by: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(by(item), [...(groups.get(by(item)) ?? []), item]);
  return groups;
}

/** The contract's player features, read literally, from the stored player and defense summaries. */
function reference(row: ContextRow, players: ReadonlyMap<string, PlayerGame[]>, defense: ReadonlyMap<string, DefenseGame[]>) {
  const active = (players.get(row.player_lookup) ?? [])
    .filter((p) => p.is_active && p.game_date < row.game_date)
    .sort(byGameDate);
  const last = active.at(-1);
  const daysRest = last && last.season_year === row.season_year ? diffDays(row.game_date, last.game_date) : null;
  const recent = (days: number) => active.filter((p) => diffDays(row.game_date, p.game_date) <= days);
  const opponentGames = (defense.get(String(row.opponent_team_abbr)) ?? [])
    .filter((g) => g.game_date < row.game_date)
    .sort(byGameDate);
  return {
    days_rest: daysRest,
    is_back_to_back: daysRest === 1,
    games_in_last_7_days: recent(7).length,
    games_in_last_14_days: recent(14).length,
    minutes_in_last_7_days: recent(7).reduce((s, p) => s + Number(p.minutes_played), 0),
    points_avg_last_5: mean(active.slice(-5).map((p) => Number(p.points))),
    points_avg_last_10: mean(active.slice(-10).map((p) => Number(p.points))),
    opponent_def_rating_last_10: mean(opponentGames.slice(-10).map((g) => g.defensive_rating)),
  };
}

function assertNear(actual: number | null, expected: number | null, places: number, label: string): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, label);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= 0.5 * 10 ** -places + 1e-9, `${label}: ${actual} vs ${expected}`);
}

describe('upcoming_player_game_context transform (DuckDB)', function () {
  let warehouse: DuckDbWarehouse;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    for (const [start, end] of SLICES) {
      await runJob(warehouse, 'player_game_summary', start, end);
      await runJob(warehouse, 'team_defense_game_summary', start, end);
    }
  });

  after(async function () {
    await warehouse.close();
  });

  it('has one row per player of the gamebook of each scheduled game', async function () {
    for (const [start, end] of SLICES) {
      const rows = await transformRows<ContextRow>(warehouse, 'upcoming_player_game_context', start, end);
      const listed = await warehouse.run<{ game_id: string; player_lookup: string }>(`SELECT DISTINCT game_id, player_lookup
        FROM nba_raw.nbac_gamebook_player_stats WHERE game_date BETWEEN DATE '${start}' AND DATE '${end}'`);
      assert.deepEqual(rows.map(key).sort(), listed.map(key).sort());
    }
  });

  it('matches the contract\'s feature definitions for every row, from earlier games only', async function () {
    const players = groupBy(await storedRows<PlayerGame & Record<string, unknown>>(warehouse, 'player_game_summary'), (p) => p.player_lookup);
    const defense = groupBy(await storedRows<DefenseGame & Record<string, unknown>>(warehouse, 'team_defense_game_summary'),
      (g) => g.defending_team_abbr);
    let checked = 0;
    for (const [start, end] of SLICES) {
      for (const row of await transformRows<ContextRow>(warehouse, 'upcoming_player_game_context', start, end)) {
        const expected = reference(row, players, defense);
        const label = `${row.game_date} ${key(row)}`;
        assert.deepEqual(
          [row.days_rest, row.is_back_to_back, row.games_in_last_7_days, row.games_in_last_14_days],
          [expected.days_rest, expected.is_back_to_back, expected.games_in_last_7_days, expected.games_in_last_14_days], label);
        assertNear(row.minutes_in_last_7_days, expected.minutes_in_last_7_days, 6, `${label} minutes`);
        assertNear(row.points_avg_last_5, expected.points_avg_last_5, 2, `${label} avg 5`);
        assertNear(row.points_avg_last_10, expected.points_avg_last_10, 2, `${label} avg 10`);
        assertNear(row.opponent_def_rating_last_10, expected.opponent_def_rating_last_10, 2, `${label} opponent defense`);
        checked += 1;
      }
    }
    assert.ok(checked > 1000);
  });

  it('uses nothing from the game date itself or later: changing those summaries leaves the features as they were', async function () {
    const day = '2018-04-20';
    const features = (rows: ContextRow[]) => new Map(rows.map((r) => [key(r), JSON.stringify({ ...r, run_id: null })]));
    const before = features(await transformRows<ContextRow>(warehouse, 'upcoming_player_game_context', day, day));
    const scratch = await openFixtureWarehouse();
    try {
      for (const table of ['player_game_summary', 'team_defense_game_summary'] as const) await runJob(scratch, table, '2018-04-01', '2018-04-30');
      await scratch.run(`UPDATE test_nba_analytics.player_game_summary SET points = points + 17, minutes_played = minutes_played + 5
        WHERE game_date >= DATE '${day}'`);
      await scratch.run(`UPDATE test_nba_analytics.team_defense_game_summary SET defensive_rating = defensive_rating + 40
        WHERE game_date >= DATE '${day}'`);
      const after = features(await transformRows<ContextRow>(scratch, 'upcoming_player_game_context', day, day));
      assert.ok(before.size > 0);
      assert.deepEqual(after, before);

      await scratch.run(`UPDATE test_nba_analytics.player_game_summary SET points = points + 17 WHERE game_date < DATE '${day}'`);
      const changed = features(await transformRows<ContextRow>(scratch, 'upcoming_player_game_context', day, day));
      assert.notDeepEqual(changed, before, 'the same change before the game date does show');
    } finally {
      await scratch.close();
    }
  });

  describe('with props and injury reports', function () {
    let scratch: DuckDbWarehouse;
    let game: ScheduleGame;
    let starter: PlayerGame;

    beforeEach(async function () {
      scratch = await openFixtureWarehouse();
      for (const table of ['player_game_summary', 'team_defense_game_summary'] as const) await runJob(scratch, table, '2018-04-01', '2018-04-30');
      game = (await latestScheduleGames(scratch)).filter((g) => g.game_date === '2018-04-20')[0] as ScheduleGame;
      const [found] = await storedRows<PlayerGame & Record<string, unknown>>(scratch, 'player_game_summary', 'test',
        `game_id = '${game.game_id}' AND starter AND team_abbr = '${game.away_team_abbr}'`);
      starter = found as PlayerGame;
    });

    afterEach(async function () {
      await scratch.close();
    });

    const midnight = () => `TIMESTAMPTZ '${game.game_date} 00:00:00+00'`;
    const prop = (player: string, line: number, at: string, book = 'book_a') =>
      `('${game.game_id}', DATE '${game.game_date}', '${player}', '${book}', ${line}, ${at})`;
    const rowFor = async (player: string) =>
      (await transformRows<ContextRow>(scratch, 'upcoming_player_game_context', game.game_date, game.game_date))
        .find((r) => r.game_id === game.game_id && r.player_lookup === player);

    it('gives the opening and current lines before the game date and their movement', async function () {
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${prop(starter.player_lookup, 18.5, `${midnight()} - INTERVAL 40 HOUR`)},
        ${prop(starter.player_lookup, 19.5, `${midnight()} - INTERVAL 20 HOUR`, 'book_b')},
        ${prop(starter.player_lookup, 21.5, `${midnight()} - INTERVAL 3 HOUR`)},
        ${prop(starter.player_lookup, 25.5, `${midnight()} + INTERVAL 20 HOUR`)}`);
      const row = await rowFor(starter.player_lookup);
      assert.deepEqual([row?.has_prop_line, row?.opening_points_line, row?.current_points_line, row?.line_movement], [true, 18.5, 21.5, 3]);
    });

    it('breaks ties on the snapshot time by bookmaker, then the lower line, at both ends', async function () {
      const first = `${midnight()} - INTERVAL 40 HOUR`;
      const last = `${midnight()} - INTERVAL 3 HOUR`;
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${prop(starter.player_lookup, 17.5, first, 'book_c')},
        ${prop(starter.player_lookup, 18.5, first, 'book_b')},
        ${prop(starter.player_lookup, 16.5, first, 'book_b')},
        ${prop(starter.player_lookup, 20.5, `${midnight()} - INTERVAL 20 HOUR`, 'book_a')},
        ${prop(starter.player_lookup, 23.5, last, 'book_b')},
        ${prop(starter.player_lookup, 22.5, last, 'book_a')},
        ${prop(starter.player_lookup, 21.5, last, 'book_z')}`);
      const row = await rowFor(starter.player_lookup);
      // Opening: book_b (before book_c) at the earliest time, its lower line; current: book_a at the latest time.
      assert.deepEqual([row?.opening_points_line, row?.current_points_line, row?.line_movement], [16.5, 22.5, 6]);
    });

    it('adds a player who only has a prop line, on the team of his latest earlier game', async function () {
      await scratch.run(`DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${game.game_id}' AND player_lookup = '${starter.player_lookup}'`);
      assert.equal(await rowFor(starter.player_lookup), undefined);
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${prop(starter.player_lookup, 20.5, `${midnight()} + INTERVAL 2 HOUR`)}, ${prop('nobodyknown', 4.5, `${midnight()} - INTERVAL 2 HOUR`)}`);
      const row = await rowFor(starter.player_lookup);
      assert.equal(row?.team_abbr, starter.team_abbr);
      assert.equal(row?.opponent_team_abbr, game.home_team_abbr);
      assert.equal(row?.home_game, false);
      assert.equal(row?.has_prop_line, false, 'his only snapshot is from the game date itself');
      const unknown = await rowFor('nobodyknown');
      assert.deepEqual([unknown?.team_abbr, unknown?.has_prop_line, unknown?.current_points_line], [null, true, 4.5]);
    });

    it('puts a player with only a prop line on the team of his latest earlier game when he changed teams', async function () {
      await scratch.run(`DELETE FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${game.game_id}' AND player_lookup = '${starter.player_lookup}'`);
      const earlier = (await storedRows<PlayerGame & Record<string, unknown>>(scratch, 'player_game_summary', 'test',
        `player_lookup = '${starter.player_lookup}' AND game_date < DATE '${game.game_date}'`))
        .sort((a, b) => String(a.game_date).localeCompare(String(b.game_date)));
      assert.ok(earlier.length >= 2, `the fixture has earlier games of this player (${earlier.length})`);
      const last = (earlier[earlier.length - 1] as PlayerGame).game_id;
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES ${prop(starter.player_lookup, 20.5, `${midnight()} - INTERVAL 2 HOUR`)}`);
      // His last earlier game decides, whichever team his games before it were for.
      for (const [lastTeam, otherTeam] of [['NEW', 'OLD'], ['OLD', 'NEW']]) {
        await scratch.run(`UPDATE test_nba_analytics.player_game_summary SET team_abbr = CASE WHEN game_id = '${last}' THEN '${lastTeam}' ELSE '${otherTeam}' END
          WHERE player_lookup = '${starter.player_lookup}' AND game_date < DATE '${game.game_date}'`);
        assert.equal((await rowFor(starter.player_lookup))?.team_abbr, lastTeam);
      }
      // A day of the job where he is listed but has no summary yet (its row deleted here) is skipped over: the
      // latest game with a summary before the game date decides.
      const [before, lastGame] = earlier.slice(-2) as [PlayerGame & Record<string, unknown>, PlayerGame & Record<string, unknown>];
      await scratch.run(`UPDATE test_nba_analytics.player_game_summary SET team_abbr = CASE WHEN game_id = '${before.game_id}' THEN 'NEW' ELSE 'OLD' END
        WHERE player_lookup = '${starter.player_lookup}' AND game_date < DATE '${game.game_date}'`);
      await scratch.run(`DELETE FROM test_nba_analytics.player_game_summary WHERE game_id = '${lastGame.game_id}' AND player_lookup = '${starter.player_lookup}'`);
      const rows = await transformRows<ContextRow>(scratch, 'upcoming_player_game_context', String(lastGame.game_date).slice(0, 10), game.game_date);
      assert.ok(rows.some((r) => r.game_id === lastGame.game_id && r.player_lookup === starter.player_lookup), 'he is a target on that day');
      assert.equal(rows.find((r) => r.game_id === game.game_id && r.player_lookup === starter.player_lookup)?.team_abbr, 'NEW');
    });

    it('takes the injury status from the latest report for the game published before the game date', async function () {
      const report = (at: string, player: string, status: string) =>
        `(CAST(${at} AS DATE), ${at}, '${game.game_id}', DATE '${game.game_date}', '${starter.team_abbr}', '${player}', '${status}', NULL)`;
      await scratch.run(`INSERT INTO nba_raw.nbac_injury_report VALUES
        ${report(`${midnight()} - INTERVAL 30 HOUR`, starter.player_lookup, 'questionable')},
        ${report(`${midnight()} - INTERVAL 4 HOUR`, starter.player_lookup, 'doubtful')},
        ${report(`${midnight()} + INTERVAL 18 HOUR`, starter.player_lookup, 'available')}`);
      assert.equal((await rowFor(starter.player_lookup))?.injury_status, 'doubtful');
    });
  });
});
