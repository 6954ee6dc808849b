import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { latestScheduleGames, openFixtureWarehouse, runJob, storedRows, transformRows, type ScheduleGame } from '../../support/duckdb-fixtures.js';

interface OffenseRow {
  game_id: string; game_date: string; team_abbr: string; opponent_team_abbr: string; home_game: boolean; win_flag: boolean;
  points_scored: number; fg_attempted: number; ft_attempted: number; offensive_rebounds: number; turnovers: number;
  rebounds: number; assists: number; fg_made: number; three_pt_made: number; three_pt_attempted: number; ft_made: number;
  possessions: number; offensive_rating: number; margin_of_victory: number;
  [column: string]: unknown;
}

interface DefenseRow {
  game_id: string; defending_team_abbr: string; opponent_team_abbr: string; home_game: boolean; win_flag: boolean;
  points_allowed: number; opp_fg_made: number; opp_fg_attempted: number; opp_three_pt_made: number; opp_three_pt_attempted: number;
  opp_ft_made: number; opp_ft_attempted: number; opp_rebounds: number; opp_assists: number; turnovers_forced: number;
  steals: number; blocks: number; defensive_rebounds: number; defensive_rating: number;
  [column: string]: unknown;
}

interface BoxRow { game_id: string; team_abbr: string; steals: number; blocks: number; defensive_rebounds: number; [column: string]: unknown }

const SLICES = [['2018-04-01', '2018-05-31'], ['2021-10-19', '2021-11-20'], ['2024-03-25', '2024-04-14']] as const;

const possessions = (r: { fg_attempted: number; ft_attempted: number; offensive_rebounds: number; turnovers: number }) =>
  r.fg_attempted + 0.44 * r.ft_attempted - r.offensive_rebounds + r.turnovers;
const near = (actual: number, expected: number, places: number) =>
  Math.abs(actual - expected) <= 0.5 * 10 ** -places + 1e-9;

describe('team game summaries (DuckDB, every real game of the fixture)', function () {
  let warehouse: DuckDbWarehouse;
  let offense: OffenseRow[];
  let defense: DefenseRow[];
  let games: ScheduleGame[];
  let box: Map<string, BoxRow>;

  before(async function () {
    warehouse = await openFixtureWarehouse();
    for (const [start, end] of SLICES) {
      await runJob(warehouse, 'team_offense_game_summary', start, end);
      await runJob(warehouse, 'team_defense_game_summary', start, end);
    }
    offense = await storedRows<OffenseRow>(warehouse, 'team_offense_game_summary');
    defense = await storedRows<DefenseRow>(warehouse, 'team_defense_game_summary');
    games = (await latestScheduleGames(warehouse)).filter((g) => g.game_status === 3);
    box = new Map((await warehouse.run<BoxRow>('SELECT * FROM nba_raw.nbac_team_boxscore')).map((b) => [`${b.game_id}/${b.team_abbr}`, b]));
  });

  after(async function () {
    await warehouse.close();
  });

  describe('team_offense_game_summary', function () {
    it('has both teams of every final game, scoring what the schedule says they scored', function () {
      assert.equal(offense.length, 2 * games.length);
      const byKey = new Map(offense.map((r) => [`${r.game_id}/${r.team_abbr}`, r]));
      for (const game of games) {
        assert.equal(byKey.get(`${game.game_id}/${game.home_team_abbr}`)?.points_scored, game.home_score, game.game_id);
        assert.equal(byKey.get(`${game.game_id}/${game.away_team_abbr}`)?.points_scored, game.away_score, game.game_id);
        assert.equal(byKey.get(`${game.game_id}/${game.home_team_abbr}`)?.home_game, true);
      }
    });

    it('derives margin, win_flag, possessions and offensive rating from the box scores', function () {
      const byKey = new Map(offense.map((r) => [`${r.game_id}/${r.team_abbr}`, r]));
      for (const row of offense) {
        const opponent = byKey.get(`${row.game_id}/${row.opponent_team_abbr}`);
        assert.ok(opponent);
        assert.equal(row.margin_of_victory, row.points_scored - opponent.points_scored);
        assert.equal(row.win_flag, row.margin_of_victory > 0);
        assert.ok(near(row.possessions, possessions(row), 2), `${row.game_id} possessions`);
        assert.ok(near(row.offensive_rating, (100 * row.points_scored) / possessions(row), 2), `${row.game_id} rating`);
      }
      assert.equal(offense.filter((r) => r.win_flag).length, games.length, 'one winner per game');
    });
  });

  describe('team_defense_game_summary', function () {
    it('allows what the opponent scored and made, and keeps its own steals, blocks and defensive rebounds', function () {
      assert.equal(defense.length, 2 * games.length);
      const offenseByKey = new Map(offense.map((r) => [`${r.game_id}/${r.team_abbr}`, r]));
      for (const row of defense) {
        const opp = offenseByKey.get(`${row.game_id}/${row.opponent_team_abbr}`);
        const own = box.get(`${row.game_id}/${row.defending_team_abbr}`);
        assert.ok(opp && own, row.game_id);
        assert.deepEqual(
          [row.points_allowed, row.opp_fg_made, row.opp_fg_attempted, row.opp_three_pt_made, row.opp_three_pt_attempted,
            row.opp_ft_made, row.opp_ft_attempted, row.opp_rebounds, row.opp_assists, row.turnovers_forced],
          [opp.points_scored, opp.fg_made, opp.fg_attempted, opp.three_pt_made, opp.three_pt_attempted,
            opp.ft_made, opp.ft_attempted, opp.rebounds, opp.assists, opp.turnovers],
        );
        assert.deepEqual([row.steals, row.blocks, row.defensive_rebounds], [own.steals, own.blocks, own.defensive_rebounds]);
        assert.equal(row.win_flag, opp.points_scored < Number(offenseByKey.get(`${row.game_id}/${row.defending_team_abbr}`)?.points_scored));
        assert.ok(near(row.defensive_rating, (100 * opp.points_scored) / possessions(opp), 2), `${row.game_id} rating`);
      }
    });
  });

  describe('with box score rows changed after loading', function () {
    let scratch: DuckDbWarehouse;
    let game: ScheduleGame;

    beforeEach(async function () {
      scratch = await openFixtureWarehouse();
      game = games.find((g) => g.game_date === '2021-11-01') as ScheduleGame;
    });

    afterEach(async function () {
      await scratch.close();
    });

    const rowsOf = async <T extends Record<string, unknown>>(table: 'team_offense_game_summary' | 'team_defense_game_summary') =>
      (await transformRows<T>(scratch, table, game.game_date, game.game_date)).filter((r) => r.game_id === game.game_id);

    it('takes the latest scrape of a team\'s box score and still writes one row per team', async function () {
      await scratch.run(`INSERT INTO nba_raw.nbac_team_boxscore
        SELECT * REPLACE (points + 50 AS points, processed_at - INTERVAL 1 HOUR AS processed_at) FROM nba_raw.nbac_team_boxscore
        WHERE game_id = '${game.game_id}'`);
      let rows = await rowsOf<OffenseRow>('team_offense_game_summary');
      assert.deepEqual(rows.map((r) => r.points_scored).sort(), [game.home_score, game.away_score].sort());
      await scratch.run(`INSERT INTO nba_raw.nbac_team_boxscore
        SELECT * REPLACE (points + 1 AS points, processed_at + INTERVAL 1 HOUR AS processed_at) FROM nba_raw.nbac_team_boxscore
        WHERE game_id = '${game.game_id}' AND team_abbr = '${game.home_team_abbr}' AND points = ${game.home_score}`);
      rows = await rowsOf<OffenseRow>('team_offense_game_summary');
      assert.equal(rows.length, 2);
      assert.equal(rows.find((r) => r.team_abbr === game.home_team_abbr)?.points_scored, Number(game.home_score) + 1);
      const defenseRows = await rowsOf<DefenseRow>('team_defense_game_summary');
      assert.equal(defenseRows.length, 2);
      assert.equal(defenseRows.find((r) => r.defending_team_abbr === game.away_team_abbr)?.points_allowed, Number(game.home_score) + 1);
    });

    it('writes what a game missing one team\'s box score supports: that team\'s offense, no defense row', async function () {
      await scratch.run(`DELETE FROM nba_raw.nbac_team_boxscore WHERE game_id = '${game.game_id}' AND team_abbr = '${game.away_team_abbr}'`);
      const offenseRows = await rowsOf<OffenseRow>('team_offense_game_summary');
      assert.deepEqual(offenseRows.map((r) => r.team_abbr), [game.home_team_abbr]);
      assert.equal(offenseRows[0]?.margin_of_victory, Number(game.home_score) - Number(game.away_score), 'the schedule gives the opponent\'s points');
      assert.deepEqual(await rowsOf('team_defense_game_summary'), []);
    });

    it('ignores a box score row of a team that is not in the game', async function () {
      await scratch.run(`INSERT INTO nba_raw.nbac_team_boxscore
        SELECT * REPLACE ('ZZZ' AS team_abbr) FROM nba_raw.nbac_team_boxscore
        WHERE game_id = '${game.game_id}' AND team_abbr = '${game.home_team_abbr}'`);
      assert.deepEqual((await rowsOf<OffenseRow>('team_offense_game_summary')).map((r) => r.team_abbr).sort(),
        [game.home_team_abbr, game.away_team_abbr].sort());
    });
  });
});
