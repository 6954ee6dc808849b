import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { latestScheduleGames, openFixtureWarehouse, transformRows, type ScheduleGame } from '../../support/duckdb-fixtures.js';

interface PlayerRow {
  game_id: string; game_date: string; player_lookup: string; team_abbr: string; opponent_team_abbr: string;
  home_game: boolean; is_active: boolean; starter: boolean; dnp_reason: string | null; minutes_played: number | null;
  points: number | null; fg_attempted: number | null; ft_attempted: number | null; rebounds: number | null;
  assists: number | null; ts_pct: number | null; win_flag: boolean; points_line: number | null; over_under_result: string | null;
  [column: string]: unknown;
}

interface RawGamebookRow {
  game_id: string; team_abbr: string; player_lookup: string; player_status: string; minutes: string | null;
  points: number | null; offensive_rebounds: number | null; defensive_rebounds: number | null; assists: number | null;
  [column: string]: unknown;
}

/** The 2018 first-round playoff games: a complete gamebook, with DNP and inactive players. */
const PLAYOFFS = { start: '2018-04-14', end: '2018-04-30' } as const;

function referenceMinutes(text: string): number {
  const [mm, ss] = text.split(':').map(Number);
  return Math.floor((Number(mm) * 60 + Number(ss) + 3) / 6) / 10;
}

const key = (row: { game_id: string; player_lookup: string }) => `${row.game_id}/${row.player_lookup}`;

describe('player_game_summary transform (DuckDB, real 2018 playoff gamebook)', function () {
  let warehouse: DuckDbWarehouse;
  let rows: PlayerRow[];
  let raw: Map<string, RawGamebookRow>;
  let games: Map<string, ScheduleGame>;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    rows = await transformRows<PlayerRow>(warehouse, 'player_game_summary', PLAYOFFS.start, PLAYOFFS.end);
    const rawRows = await warehouse.run<RawGamebookRow>(`SELECT * FROM nba_raw.nbac_gamebook_player_stats
      WHERE game_date BETWEEN DATE '${PLAYOFFS.start}' AND DATE '${PLAYOFFS.end}'`);
    raw = new Map(rawRows.map((r) => [key(r), r]));
    games = new Map((await latestScheduleGames(warehouse)).map((g) => [g.game_id, g]));
  });

  after(async function () {
    await warehouse.close();
  });

  it('writes one row per player the gamebook lists for each final game, players who did not play included', function () {
    assert.deepEqual(rows.map(key).sort(), [...raw.keys()].sort());
    assert.ok(rows.some((r) => !r.is_active), 'the playoff gamebook lists players who did not play');
  });

  it('reads minutes MM:SS as decimal minutes to one place for players who played, NULL for the others', function () {
    for (const row of rows) {
      const source = raw.get(key(row));
      assert.equal(row.is_active, source?.player_status === 'active');
      if (row.is_active) assert.equal(row.minutes_played, referenceMinutes(String(source?.minutes)), key(row));
      else assert.equal(row.minutes_played, null);
    }
  });

  it('keeps the stats of players who played and NULLs them for players who did not', function () {
    for (const row of rows) {
      const source = raw.get(key(row));
      if (row.is_active) {
        assert.equal(row.points, source?.points);
        assert.equal(row.rebounds, Number(source?.offensive_rebounds) + Number(source?.defensive_rebounds));
        assert.equal(row.assists, source?.assists);
      } else {
        for (const column of ['points', 'fg_made', 'rebounds', 'assists', 'plus_minus', 'ts_pct']) assert.equal(row[column], null, column);
        assert.ok(row.dnp_reason === null || typeof row.dnp_reason === 'string');
      }
    }
  });

  it('computes true shooting as points / (2 x (FGA + 0.44 x FTA)), NULL without attempts', function () {
    let withoutAttempts = 0;
    for (const row of rows.filter((r) => r.is_active)) {
      const attempts = Number(row.fg_attempted) + 0.44 * Number(row.ft_attempted);
      if (attempts === 0) {
        withoutAttempts += 1;
        assert.equal(row.ts_pct, null);
      } else {
        assert.ok(Math.abs(Number(row.ts_pct) - Number(row.points) / (2 * attempts)) <= 0.0005 + 1e-12, key(row));
      }
    }
    assert.ok(withoutAttempts > 0, 'some players played without a shot');
  });

  it('sums player points to the team\'s final score in every game of a complete gamebook', function () {
    const sums = new Map<string, number>();
    for (const row of rows) sums.set(`${row.game_id}/${row.team_abbr}`, (sums.get(`${row.game_id}/${row.team_abbr}`) ?? 0) + Number(row.points ?? 0));
    const gameIds = new Set(rows.map((r) => r.game_id));
    assert.ok(gameIds.size > 20);
    for (const gameId of gameIds) {
      const game = games.get(gameId);
      assert.ok(game);
      assert.equal(sums.get(`${gameId}/${game.home_team_abbr}`), game.home_score, `${gameId} home`);
      assert.equal(sums.get(`${gameId}/${game.away_team_abbr}`), game.away_score, `${gameId} away`);
    }
  });

  it('takes opponent, home_game and win_flag from the schedule', function () {
    for (const row of rows) {
      const game = games.get(row.game_id);
      assert.ok(game);
      const home = row.team_abbr === game.home_team_abbr;
      assert.equal(row.home_game, home);
      assert.equal(row.opponent_team_abbr, home ? game.away_team_abbr : game.home_team_abbr);
      const [own, other] = home ? [game.home_score, game.away_score] : [game.away_score, game.home_score];
      assert.equal(row.win_flag, Number(own) > Number(other));
    }
  });

  describe('with data written after the fixture was loaded', function () {
    let scratch: DuckDbWarehouse;
    let game: ScheduleGame;
    let player: { player_lookup: string; team_abbr: string; points: number };
    let benched: { player_lookup: string };

    beforeEach(async function () {
      scratch = await openFixtureWarehouse();
      const one = await scratch.run<{ game_id: string }>(`SELECT game_id FROM nba_raw.nbac_gamebook_player_stats
        WHERE game_date = DATE '2018-04-15' AND player_status = 'dnp' ORDER BY game_id LIMIT 1`);
      const gameId = String(one[0]?.game_id);
      game = (await latestScheduleGames(scratch)).find((g) => g.game_id === gameId) as ScheduleGame;
      [player] = await scratch.run<{ player_lookup: string; team_abbr: string; points: number }>(`SELECT player_lookup, team_abbr, points
        FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${gameId}' AND player_status = 'active' ORDER BY points DESC LIMIT 1`) as [typeof player];
      [benched] = await scratch.run<{ player_lookup: string }>(`SELECT player_lookup FROM nba_raw.nbac_gamebook_player_stats
        WHERE game_id = '${gameId}' AND player_status = 'dnp' LIMIT 1`) as [typeof benched];
    });

    afterEach(async function () {
      await scratch.close();
    });

    const rowsOn = async (date: string) => (await transformRows<PlayerRow>(scratch, 'player_game_summary', date, date))
      .filter((r) => r.game_id === game.game_id)
      .sort((a, b) => a.player_lookup.localeCompare(b.player_lookup));
    const rowsOfGame = () => rowsOn(game.game_date);

    it('keeps one row per player when the gamebook was scraped twice, taking the latest scrape', async function () {
      const before = await rowsOfGame();
      await scratch.run(`INSERT INTO nba_raw.nbac_gamebook_player_stats
        SELECT * REPLACE (points + 100 AS points, processed_at - INTERVAL 1 DAY AS processed_at)
        FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${game.game_id}'`);
      assert.deepEqual(await rowsOfGame(), before, 'an older scrape changes nothing');
      await scratch.run(`INSERT INTO nba_raw.nbac_gamebook_player_stats
        SELECT * REPLACE (points + 1 AS points, processed_at + INTERVAL 1 DAY AS processed_at)
        FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${game.game_id}' AND player_lookup = '${player.player_lookup}'
          AND points = ${player.points}`);
      const after = await rowsOfGame();
      assert.equal(after.length, before.length);
      assert.equal(after.find((r) => r.player_lookup === player.player_lookup)?.points, player.points + 1);
    });

    it('uses the latest prop line taken before the game date and grades the points against it', async function () {
      const midnight = `TIMESTAMPTZ '${game.game_date} 00:00:00+00'`;
      const props = (lookup: string, line: number, at: string, bookmaker = 'book_a') =>
        `('${game.game_id}', DATE '${game.game_date}', '${lookup}', '${bookmaker}', ${line}, ${at})`;
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${props(player.player_lookup, player.points + 5.5, `${midnight} - INTERVAL 30 HOUR`)},
        ${props(player.player_lookup, player.points - 0.5, `${midnight} - INTERVAL 2 HOUR`, 'book_b')},
        ${props(player.player_lookup, player.points + 9.5, `${midnight} + INTERVAL 18 HOUR`)},
        ${props(benched.player_lookup, 3.5, `${midnight} - INTERVAL 1 HOUR`)}`);
      const rowsNow = await rowsOfGame();
      const scorer = rowsNow.find((r) => r.player_lookup === player.player_lookup);
      assert.equal(scorer?.points_line, player.points - 0.5, 'the snapshot taken on the game day itself is ignored');
      assert.equal(scorer?.over_under_result, 'OVER');
      const dnp = rowsNow.find((r) => r.player_lookup === benched.player_lookup);
      assert.equal(dnp?.points_line, 3.5);
      assert.equal(dnp?.over_under_result, null, 'a player who did not play is not graded');

      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${props(player.player_lookup, player.points, `${midnight} - INTERVAL 1 HOUR`)}`);
      assert.equal((await rowsOfGame()).find((r) => r.player_lookup === player.player_lookup)?.over_under_result, 'PUSH');
      await scratch.run(`INSERT INTO nba_raw.odds_api_player_points_props VALUES
        ${props(player.player_lookup, player.points + 0.5, `${midnight} - INTERVAL 1 MINUTE`)}`);
      assert.equal((await rowsOfGame()).find((r) => r.player_lookup === player.player_lookup)?.over_under_result, 'UNDER');
    });

    it('follows the latest schedule row: a later scrape that moves the game takes its rows to the new date', async function () {
      const moved = '2018-05-01';
      const before = await rowsOfGame();
      await scratch.run(`INSERT INTO nba_raw.nbac_schedule
        SELECT * REPLACE (DATE '${moved}' AS game_date, processed_at + INTERVAL 1 DAY AS processed_at)
        FROM nba_raw.nbac_schedule WHERE game_id = '${game.game_id}' AND game_status = 3`);
      await scratch.run(`INSERT INTO nba_raw.nbac_gamebook_player_stats
        SELECT * REPLACE (DATE '${moved}' AS game_date) FROM nba_raw.nbac_gamebook_player_stats WHERE game_id = '${game.game_id}'`);
      assert.deepEqual(await rowsOfGame(), [], 'the game is no longer on its old date');
      const onNewDate = await rowsOn(moved);
      assert.deepEqual(onNewDate.map((r) => ({ ...r, game_date: game.game_date })), before);
    });

    it('writes nothing for a game whose latest schedule row says postponed', async function () {
      assert.ok((await rowsOfGame()).length > 0);
      await scratch.run(`INSERT INTO nba_raw.nbac_schedule
        SELECT * REPLACE (4 AS game_status, NULL AS home_score, NULL AS away_score, processed_at + INTERVAL 1 HOUR AS processed_at)
        FROM nba_raw.nbac_schedule WHERE game_id = '${game.game_id}' AND game_status = 3`);
      assert.deepEqual(await rowsOfGame(), []);
    });
  });
});
