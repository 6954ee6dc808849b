import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import type { TableReport, VerificationReport } from '../../../shared/verify/report-schema.js';
import { parseReportJson, renderJson } from '../../../shared/verify/render-json.js';
import { renderMarkdown } from '../../../shared/verify/render-markdown.js';
import { renderText } from '../../../shared/verify/render-text.js';
import { verify } from '../../../shared/verify/verify.js';
import { parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { FIXTURE_RANGE, fixtureSchedule, openFixtureWarehouse, writeAllTables } from './fixture-warehouse.js';

const NOW = Date.parse('2024-07-01T12:00:00Z');

function table(report: VerificationReport, name: TableReport['table']): TableReport {
  const found = report.tables.find((t) => t.table === name);
  assert.ok(found, `${name} is in the report`);
  return found;
}

describe('verify on the real fixture slices, backfilled by the transforms', () => {
  let warehouse: DuckDbWarehouse;
  const schedule = fixtureSchedule();
  const finalGamesIn = (start: string, end: string) => schedule.filter((g) => g.status === 3 && g.gameDate >= start && g.gameDate <= end);
  const datesOf = (games: readonly { gameDate: string }[]) => [...new Set(games.map((g) => g.gameDate))].sort();

  before(async () => {
    warehouse = await openFixtureWarehouse();
    await writeAllTables(warehouse, FIXTURE_RANGE);
  });
  after(async () => warehouse.close());

  describe('November 2021: regular season without a gamebook', () => {
    const start = '2021-11-01';
    const end = '2021-11-30';
    const games = finalGamesIn(start, end);
    const gameDates = datesOf(games);
    let report: VerificationReport;

    before(async () => {
      report = await verify({ warehouse, scope: parseVerificationScope({ tables: 'all', start, end, mode: 'production' }), now: NOW });
    });

    it('has the fixture games to check against', () => {
      assert.ok(games.length > 100 && gameDates.length > 15, `${games.length} games on ${gameDates.length} dates`);
    });

    it('finds the team tables COMPLETE with two rows per final game on every game date', () => {
      for (const name of ['team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context'] as const) {
        const t = table(report, name);
        assert.equal(t.status, 'COMPLETE', `${name}: ${t.statusReason}`);
        assert.equal(t.rows, 2 * games.length, name);
        assert.equal(t.expectedRows, 2 * games.length, name);
        assert.equal(t.expectedDates, gameDates.length, name);
        assert.equal(t.completeDates, gameDates.length, name);
        assert.equal(t.coveragePct, 100, name);
        assert.deepEqual([t.minDate, t.maxDate, t.distinctDates], [gameDates[0], gameDates.at(-1), gameDates.length], name);
        assert.deepEqual(t.problems, [], name);
      }
    });

    it('compares every team score with the schedule and every defense with its opponent offense', () => {
      assert.deepEqual(table(report, 'team_offense_game_summary').crossTable, [
        { truth: 'offense_points_match_schedule', compared: 2 * games.length, mismatches: 0 },
      ]);
      assert.deepEqual(table(report, 'team_defense_game_summary').crossTable, [
        { truth: 'defense_points_match_opponent_offense', compared: 2 * games.length, mismatches: 0 },
      ]);
    });

    it('finds the player tables INCOMPLETE with every game date no_source and exact counts', () => {
      for (const name of ['player_game_summary', 'upcoming_player_game_context'] as const) {
        const t = table(report, name);
        assert.equal(t.status, 'INCOMPLETE', name);
        assert.deepEqual([t.rows, t.expectedRows, t.expectedDates, t.completeDates, t.coveragePct], [0, 0, 0, 0, 0], name);
        assert.deepEqual([t.sourceShortDates, t.sourceShortGames], [gameDates.length, games.length], name);
        assert.equal(t.problems.length, 1, name);
        const [problem] = t.problems;
        assert.ok(problem?.kind === 'date_rows' && problem.reason === 'no_source', name);
        assert.deepEqual(problem.dates.map((d) => d.date), gameDates, name);
        const gamesPerDate = gameDates.map((d) => games.filter((g) => g.gameDate === d).length);
        assert.deepEqual(problem.dates.map((d) => d.sourceShortGames), gamesPerDate, name);
        assert.deepEqual(problem.ranges, [{ start: gameDates[0], end: gameDates.at(-1), dates: gameDates.length }], name);
      }
    });

    it('says 3 of 5 tables are complete', () => {
      assert.equal(report.overall.line, '3/5 tables complete (60%)');
      assert.equal(report.overall.status, 'INCOMPLETE');
    });
  });

  describe('the end of 2023-24: gamebook through 2024-04-07, none after', () => {
    let report: VerificationReport;
    const start = '2024-03-25';
    const end = '2024-04-14';
    const withGamebook = finalGamesIn(start, '2024-04-07');
    const without = finalGamesIn('2024-04-08', end);

    before(async () => {
      report = await verify({ warehouse, scope: parseVerificationScope({ tables: ['player_game_summary'], start, end, mode: 'production' }), now: NOW });
    });

    it('completes every date with a gamebook and lists the dates without one as no_source, in one range of game dates', () => {
      const t = table(report, 'player_game_summary');
      assert.equal(t.status, 'INCOMPLETE');
      assert.equal(t.expectedDates, datesOf(withGamebook).length);
      assert.equal(t.completeDates, t.expectedDates);
      assert.ok(t.rows > 0 && t.rows === t.expectedRows);
      const [problem] = t.problems;
      assert.ok(problem?.kind === 'date_rows' && problem.reason === 'no_source');
      assert.deepEqual(problem.dates.map((d) => d.date), datesOf(without));
      assert.deepEqual(problem.ranges, [{ start: datesOf(without)[0], end: datesOf(without).at(-1), dates: datesOf(without).length }]);
      assert.equal(t.problems.length, 1);
    });

    it('checks that player points add up to the team score in every game with a complete gamebook', () => {
      assert.deepEqual(table(report, 'player_game_summary').crossTable, [
        { truth: 'player_points_sum_match_team', compared: 2 * withGamebook.length, mismatches: 0 },
      ]);
    });
  });

  describe('every fixture date', () => {
    let report: VerificationReport;

    before(async () => {
      report = await verify({ warehouse, scope: parseVerificationScope({ tables: 'all', ...FIXTURE_RANGE, mode: 'production' }), now: NOW });
    });

    it('finds nothing wrong: team tables complete, player tables only short of source data', () => {
      assert.deepEqual(
        report.tables.map((t) => [t.table, t.status]),
        [
          ['player_game_summary', 'INCOMPLETE'],
          ['team_offense_game_summary', 'COMPLETE'],
          ['team_defense_game_summary', 'COMPLETE'],
          ['upcoming_team_game_context', 'COMPLETE'],
          ['upcoming_player_game_context', 'INCOMPLETE'],
        ],
      );
      for (const t of report.tables) {
        assert.deepEqual(t.problems.map((p) => (p.kind === 'date_rows' ? p.reason : p.kind)).filter((r) => r !== 'no_source'), [], t.table);
      }
    });

    it('compresses no_source dates over game dates: a regular-season end, a season start and a season end', () => {
      const problem = table(report, 'player_game_summary').problems[0];
      assert.ok(problem?.kind === 'date_rows');
      assert.deepEqual(
        problem.ranges.map((r) => [r.start, r.end]),
        // 2024-04-08 had no NBA game: the first date without a gamebook that has games is 04-09.
        [['2018-04-01', '2018-04-11'], ['2021-10-19', '2021-11-20'], ['2024-04-09', '2024-04-14']],
      );
    });

    it('renders a report that matches its JSON schema, and as text and markdown with the ranges', () => {
      assert.deepEqual(parseReportJson(renderJson(report)), report);
      const ranges = '2018-04-01..2018-04-11, 2021-10-19..2021-11-20, 2024-04-09..2024-04-14';
      assert.match(renderText(report), new RegExp(`player_game_summary \\(nba_analytics\\): INCOMPLETE\\n.*no_source.*\\n\\s+dates: ${ranges.replaceAll('.', '\\.')}`));
      assert.match(renderMarkdown(report), /### `team_offense_game_summary`: COMPLETE\n\nEvery check passed\./);
    });

    it('reports one query per check family per table, and two per date the leakage guard rebuilds', () => {
      const families = table(report, 'player_game_summary').queries.map((q) => q.family);
      assert.deepEqual(families, ['row_counts', 'input_lineage', 'test_dataset', 'key_integrity', 'cross_table']);
      const context = table(report, 'upcoming_team_game_context');
      assert.equal(context.leakageChecked?.length, 3);
      assert.deepEqual(context.queries.map((q) => q.family), ['row_counts', 'input_lineage', 'test_dataset', 'key_integrity', ...Array<string>(6).fill('leakage')]);
    });
  });
});
