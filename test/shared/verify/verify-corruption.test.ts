import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { AnalyticsTableName } from '../../../shared/tables/names.js';
import type { Problem } from '../../../shared/verify/problems.js';
import type { TableReport } from '../../../shared/verify/report-schema.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { fixtureSchedule, openFixtureWarehouse, writeTable } from './fixture-warehouse.js';

const NOW = Date.parse('2024-07-01T12:00:00Z');
// Late March 2024: the gamebook is complete, so every table and every cross-table truth applies.
const SCOPE = { start: '2024-03-25', end: '2024-04-07' } as const;
const TEAM_TABLES: AnalyticsTableName[] = ['player_game_summary', 'team_offense_game_summary', 'team_defense_game_summary'];

describe('verify on corrupted tables', () => {
  let warehouse: DuckDbWarehouse;
  const game = fixtureSchedule().find((g) => g.status === 3 && g.gameDate === '2024-03-27');
  assert.ok(game, 'a final game on 2024-03-27 in the fixtures');

  async function report(tables: AnalyticsTableName[], end: string = SCOPE.end): Promise<Map<AnalyticsTableName, TableReport>> {
    const r = await verify({ warehouse, scope: parseVerificationScope({ tables, start: SCOPE.start, end, mode: 'production' }), now: NOW });
    return new Map(r.tables.map((t) => [t.table, t]));
  }
  function problemOf<K extends Problem['kind']>(t: TableReport | undefined, kind: K): Extract<Problem, { kind: K }>[] {
    assert.ok(t);
    return t.problems.filter((p): p is Extract<Problem, { kind: K }> => p.kind === kind);
  }
  async function activePlayer(): Promise<{ player: string; points: number; team: string }> {
    const [row] = await warehouse.run<{ player_lookup: string; points: number; team_abbr: string }>(
      `SELECT player_lookup, points, team_abbr FROM nba_analytics.player_game_summary
       WHERE game_id = $game_id AND is_active AND points > 0 ORDER BY player_lookup LIMIT 1`,
      { game_id: game!.gameId },
    );
    assert.ok(row);
    return { player: row.player_lookup, points: row.points, team: row.team_abbr };
  }

  before(async () => {
    warehouse = await openFixtureWarehouse();
    for (const table of TEAM_TABLES) await writeTable(warehouse, table, SCOPE);
  });
  afterEach(async () => {
    for (const table of TEAM_TABLES) await writeTable(warehouse, table, SCOPE);
  });
  after(async () => warehouse.close());

  it('starts from tables that verify COMPLETE', async () => {
    const tables = await report(TEAM_TABLES);
    assert.deepEqual([...tables.values()].map((t) => t.status), ['COMPLETE', 'COMPLETE', 'COMPLETE']);
  });

  it('fails a table with a NULL in a critical column and names the key', async () => {
    const { player } = await activePlayer();
    await warehouse.run(`UPDATE nba_analytics.player_game_summary SET player_name = NULL WHERE game_id = $g AND player_lookup = $p`, {
      g: game.gameId,
      p: player,
    });
    const t = (await report(['player_game_summary'])).get('player_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'null_critical'), [
      { kind: 'null_critical', column: 'player_name', when: null, rows: 1, sample: [{ game_id: game.gameId, player_lookup: player }] },
    ]);
    assert.equal(t?.checks.find((c) => c.name === 'null_criticals')?.passed, false);
  });

  it('fails a player row that played but has no points, a column NULL only when not active', async () => {
    const { player } = await activePlayer();
    await warehouse.run(`UPDATE nba_analytics.player_game_summary SET points = NULL WHERE game_id = $g AND player_lookup = $p`, {
      g: game.gameId,
      p: player,
    });
    const t = (await report(['player_game_summary'])).get('player_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'null_critical').map((p) => [p.column, p.when, p.rows, p.sample]), [
      ['points', 'is_active', 1, [{ game_id: game.gameId, player_lookup: player }]],
    ]);
  });

  it('fails a table with a duplicated key and names the key, the extra row and the excess on its date', async () => {
    const { player, points, team } = await activePlayer();
    await warehouse.run(
      `INSERT INTO nba_analytics.player_game_summary SELECT * FROM nba_analytics.player_game_summary WHERE game_id = $g AND player_lookup = $p`,
      { g: game.gameId, p: player },
    );
    const t = (await report(['player_game_summary'])).get('player_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'duplicate_keys'), [
      { kind: 'duplicate_keys', keys: 1, extraRows: 1, sample: [{ game_id: game.gameId, player_lookup: player }] },
    ]);
    const excess = problemOf(t, 'date_rows').filter((p) => p.reason === 'excess');
    assert.deepEqual(excess.map((p) => p.dates.map((d) => [d.date, d.rows - d.expectedRows])), [[['2024-03-27', 1]]]);
    const [sum] = problemOf(t, 'cross_table_mismatch');
    assert.deepEqual(sum?.listed.map((m) => [m.key, m.actual! - m.expected!]), [[{ game_id: game.gameId, team_abbr: team }, points]]);
  });

  it('fails a wrong team score against the schedule, and the opponent defense against it', async () => {
    await warehouse.run(
      `UPDATE nba_analytics.team_offense_game_summary SET points_scored = points_scored + 3 WHERE game_id = $g AND team_abbr = $t`,
      { g: game.gameId, t: game.home },
    );
    const tables = await report(TEAM_TABLES);
    const offense = tables.get('team_offense_game_summary');
    assert.equal(offense?.status, 'FAILED');
    assert.deepEqual(problemOf(offense, 'cross_table_mismatch').map((p) => [p.truth, p.mismatches, p.listed]), [
      [
        'offense_points_match_schedule',
        1,
        [
          {
            key: { game_id: game.gameId, team_abbr: game.home },
            actual: game.homeScore! + 3,
            expected: game.homeScore,
            expectedFrom: 'nba_raw.nbac_schedule final score',
          },
        ],
      ],
    ]);
    const defense = tables.get('team_defense_game_summary');
    assert.equal(defense?.status, 'FAILED');
    assert.deepEqual(problemOf(defense, 'cross_table_mismatch')[0]?.listed, [
      {
        key: { game_id: game.gameId, defending_team_abbr: game.away },
        actual: game.homeScore,
        expected: game.homeScore! + 3,
        expectedFrom: 'nba_analytics.team_offense_game_summary.points_scored',
      },
    ]);
    const players = tables.get('player_game_summary');
    assert.deepEqual(problemOf(players, 'cross_table_mismatch')[0]?.listed.map((m) => m.key), [{ game_id: game.gameId, team_abbr: game.home }]);
  });

  it('fails a game_id that is not in the schedule and names the key', async () => {
    await warehouse.run(
      `UPDATE nba_analytics.team_defense_game_summary SET game_id = '0029999999' WHERE game_id = $g AND defending_team_abbr = $t`,
      { g: game.gameId, t: game.away },
    );
    const t = (await report(['team_defense_game_summary'])).get('team_defense_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'unknown_game'), [
      { kind: 'unknown_game', rows: 1, sample: [{ game_id: '0029999999', defending_team_abbr: game.away }] },
    ]);
    assert.equal(t?.checks.find((c) => c.name === 'keys_resolve')?.passed, false);
  });

  it('fails a team that is not one of the game\'s two teams', async () => {
    await warehouse.run(
      `UPDATE nba_analytics.team_offense_game_summary SET opponent_team_abbr = 'SEA' WHERE game_id = $g AND team_abbr = $t`,
      { g: game.gameId, t: game.home },
    );
    const t = (await report(['team_offense_game_summary'])).get('team_offense_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'team_not_in_game')[0]?.sample, [
      { key: { game_id: game.gameId, team_abbr: game.home }, column: 'opponent_team_abbr', value: 'SEA', homeTeam: game.home, awayTeam: game.away },
    ]);
  });

  it('fails rows on a date where nothing was expected (2024-04-08 had no game)', async () => {
    await warehouse.run(
      `INSERT INTO nba_analytics.team_offense_game_summary
       SELECT * REPLACE (DATE '2024-04-08' AS game_date) FROM nba_analytics.team_offense_game_summary WHERE game_id = $g`,
      { g: game.gameId },
    );
    const t = (await report(['team_offense_game_summary'], '2024-04-08')).get('team_offense_game_summary');
    assert.equal(t?.status, 'FAILED');
    assert.deepEqual(problemOf(t, 'unexpected_rows').map((p) => p.dates), [[{ date: '2024-04-08', rows: 2 }]]);
    // The copies also sit under a game of another date: the key check says so.
    assert.equal(problemOf(t, 'unknown_game')[0]?.rows, 2);
  });
});
