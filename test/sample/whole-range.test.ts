import assert from 'node:assert/strict';
import { sampleRecords } from '../../sample/generate-sample.js';
import { RAW_TABLES, type RawTableName } from '../../shared/tables/names.js';
import { wholePlan } from './sample-fixtures.js';

describe('the whole sample range', function () {
  this.timeout(180_000);

  it('generates every game of 2016-10-01..2024-06-30 with matching scores, five or more active players a side, and props and reports before the game', () => {
    const plan = wholePlan();
    const rows = Object.fromEntries(RAW_TABLES.map((t) => [t, 0])) as Record<RawTableName, number>;
    let games = 0;
    for (const { game, records } of sampleRecords(plan)) {
      games += 1;
      for (const table of RAW_TABLES) rows[table] += records[table].length;
      const final = records.nbac_schedule.find((r) => r.game_status === 3);
      assert.equal(final?.home_score, game.homeScore);
      for (const box of records.nbac_team_boxscore) {
        const players = records.nbac_gamebook_player_stats.filter((p) => p.team_abbr === box.team_abbr);
        assert.equal(box.points, box.is_home ? final?.home_score : final?.away_score, game.gameId);
        assert.equal(players.reduce((acc, p) => acc + (p.points ?? 0), 0), box.points, game.gameId);
        assert.ok(players.filter((p) => p.player_status === 'active').length >= 5, `${game.gameId} ${box.team_abbr}`);
      }
      const status = new Map(records.nbac_gamebook_player_stats.map((p) => [p.player_lookup, p.player_status]));
      for (const r of records.odds_api_player_points_props) {
        assert.ok(r.snapshot_timestamp.slice(0, 10) < game.gameDate && status.get(r.player_lookup) === 'active', game.gameId);
      }
      for (const r of records.odds_api_game_lines) assert.ok(r.snapshot_timestamp.slice(0, 10) < game.gameDate, game.gameId);
      for (const r of records.nbac_injury_report) {
        if (r.injury_status === 'out') assert.equal(status.get(r.player_lookup), 'inactive', `${game.gameId} ${r.player_lookup}`);
      }
    }
    assert.equal(games, plan.gamesInRange);
    assert.ok(games > 10_100 && games < 10_350, `${games} games`);
    assert.equal(rows.nbac_schedule, 2 * games);
    assert.equal(rows.nbac_team_boxscore, 2 * games);
    assert.ok(rows.nbac_gamebook_player_stats > 26 * games && rows.nbac_gamebook_player_stats < 30 * games, `${rows.nbac_gamebook_player_stats} gamebook rows`);
    assert.ok(rows.odds_api_player_points_props > 40 * games && rows.odds_api_player_points_props < 120 * games);
    assert.ok(rows.odds_api_game_lines >= 12 * games);
    assert.ok(rows.nbac_injury_report > 2 * games);
  });
});
