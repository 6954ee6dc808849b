import assert from 'node:assert/strict';
import { planChunks } from '../../../shared/planning/plan-chunks.js';
import { InvalidInputError } from '../../../shared/input/invalid-input.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { chunkId, runId } from '../../../shared/planning/ids.js';
import type { TableAssessment } from '../../../shared/lineage/assess-partitions.js';
import type { AnalyticsTableName } from '../../../shared/tables/names.js';

/**
 * What the warehouse holds, as the planner reads it: per table its game dates, each holding the 10 rows it
 * expects unless listed as missing (no rows) or stale.
 */
function assessments(
  gameDates: Partial<Record<AnalyticsTableName, string[]>>,
  state: { missing?: Partial<Record<AnalyticsTableName, string[]>>; stale?: Partial<Record<AnalyticsTableName, string[]>> } = {},
): Map<AnalyticsTableName, TableAssessment> {
  return new Map(Object.entries(gameDates).map(([name, dates]) => {
    const table = name as AnalyticsTableName;
    const missing = new Set(state.missing?.[table] ?? []);
    const assessment: TableAssessment = {
      table,
      start: '2016-10-01',
      end: '2024-06-30',
      expectations: dates.map((date) => ({ date, expectedRows: 10, sourceShortGames: 0 })),
      counts: new Map(dates.filter((d) => !missing.has(d)).map((d) => [d, { rows: 10, wrongModeRows: 0 }])),
      stale: new Map((state.stale?.[table] ?? []).map((d) => [d, [{ cause: 'input_changed' as const, input: 'nbac_schedule' }]])),
      queries: [],
    };
    return [table, assessment];
  }));
}

describe('planning a backfill', () => {
  const request = parseBackfillRequest({ tables: ['team_offense_game_summary', 'player_game_summary'], start: '2021-11-01', end: '2021-11-07', excludeDates: ['2021-11-03'] });
  const gameDates = assessments({
    player_game_summary: ['2021-11-01', '2021-11-03', '2021-11-05'],
    team_offense_game_summary: ['2021-11-01', '2021-11-03', '2021-11-05', '2021-11-09'],
  });

  it('makes one chunk per table and game date with games, not per calendar day', () => {
    const plan = planChunks(request, gameDates);
    assert.deepEqual(plan.chunks.map((c) => `${c.table} ${c.gameDate}`), [
      'player_game_summary 2021-11-01',
      'player_game_summary 2021-11-05',
      'team_offense_game_summary 2021-11-01',
      'team_offense_game_summary 2021-11-05',
    ]);
  });

  it('orders tables by dependency whatever order the request names them in', () => {
    assert.deepEqual(request.tables, ['player_game_summary', 'team_offense_game_summary']);
  });

  it('leaves out excluded dates and records them per table', () => {
    const plan = planChunks(request, gameDates);
    assert.deepEqual(plan.excludedByTable.player_game_summary, ['2021-11-03']);
    assert.ok(!plan.chunks.some((c) => c.gameDate === '2021-11-03'));
  });

  it('ignores schedule dates outside the requested range', () => {
    const plan = planChunks(request, gameDates);
    assert.ok(!plan.chunks.some((c) => c.gameDate === '2021-11-09'));
  });

  it('derives the same chunk and run ids when planned twice', () => {
    const a = planChunks(request, gameDates);
    const b = planChunks(parseBackfillRequest({ tables: ['player_game_summary', 'team_offense_game_summary'], start: '2021-11-01', end: '2021-11-07', excludeDates: ['2021-11-03', '2021-11-03'] }), gameDates);
    assert.equal(a.runId, b.runId);
    assert.deepEqual(a.chunks.map((c) => c.id), b.chunks.map((c) => c.id));
  });

  it('rebuilds exactly the dates the warehouse lacks or holds stale, and nothing it holds current', () => {
    const plan = planChunks(request, assessments(
      { player_game_summary: ['2021-11-01', '2021-11-05'], team_offense_game_summary: ['2021-11-01', '2021-11-05'] },
      { missing: { player_game_summary: ['2021-11-05'] }, stale: { team_offense_game_summary: ['2021-11-01'] } },
    ));
    assert.deepEqual(plan.rebuild, [chunkId('player_game_summary', '2021-11-05', 'production'), chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
  });

  describe('history first', () => {
    const context = parseBackfillRequest({ tables: ['upcoming_player_game_context'], start: '2019-04-13', end: '2019-04-20', excludeDates: ['2019-04-13'] });
    const warehouse = assessments({
      player_game_summary: ['2018-04-01', '2018-04-02', '2019-04-12', '2019-04-13', '2019-04-21'],
      team_defense_game_summary: ['2018-04-01', '2019-04-12'],
      upcoming_player_game_context: ['2019-04-13', '2019-04-14'],
    }, { missing: { player_game_summary: ['2018-04-02', '2019-04-12', '2019-04-13', '2019-04-21'], upcoming_player_game_context: ['2019-04-13', '2019-04-14'] } });

    it('plans the upstream partitions its dates read and the warehouse lacks, before them, and says so', () => {
      const plan = planChunks(context, warehouse);
      assert.deepEqual(plan.inputsByTable, { player_game_summary: ['2018-04-02', '2019-04-12', '2019-04-13'] });
      assert.deepEqual(plan.chunks.map((c) => `${c.table} ${c.gameDate}`), [
        'player_game_summary 2018-04-02',
        'player_game_summary 2019-04-12',
        'player_game_summary 2019-04-13',
        'upcoming_player_game_context 2019-04-14',
      ]);
      assert.deepEqual(plan.rebuild, plan.chunks.map((c) => c.id), 'every input and every missing context date is built');
    });

    it('never plans an input a requested date does not read (the same date, later dates), nor one the warehouse holds', () => {
      const plan = planChunks(context, warehouse);
      assert.ok(!plan.chunks.some((c) => c.gameDate === '2019-04-21' || c.gameDate === '2018-04-01'));
      assert.ok(!plan.chunks.some((c) => c.table === 'team_defense_game_summary'));
    });

    it('builds an excluded date anyway where a later date reads it, and says so', () => {
      assert.deepEqual(planChunks(context, warehouse).excludedInputs, { player_game_summary: ['2019-04-13'] });
      assert.deepEqual(planChunks(context, warehouse).excludedByTable, { upcoming_player_game_context: ['2019-04-13'] });
    });
  });

  it('gives test mode its own chunks and run', () => {
    const test = parseBackfillRequest({ tables: 'all', start: '2021-11-15', end: '2021-11-15', mode: 'test' });
    const prod = parseBackfillRequest({ tables: 'all', start: '2021-11-15', end: '2021-11-15' });
    assert.notEqual(runId(test), runId(prod));
    assert.notEqual(chunkId('player_game_summary', '2021-11-15', 'test'), chunkId('player_game_summary', '2021-11-15', 'production'));
    assert.match(runId(test), /^run-test-/);
  });
});

describe('a backfill request', () => {
  const bad = (input: unknown, pattern: RegExp) =>
    assert.throws(() => parseBackfillRequest(input), (e: unknown) => e instanceof InvalidInputError && e.what === 'backfill request' && pattern.test(e.message));

  it('expands "all" to the five tables', () => {
    assert.equal(parseBackfillRequest({ tables: 'all', start: '2020-01-01', end: '2020-01-02' }).tables.length, 5);
  });
  it('rejects an end before the start', () => bad({ tables: 'all', start: '2020-01-02', end: '2020-01-01' }, /end 2020-01-01 is before start/));
  it('rejects an unknown table', () => bad({ tables: ['players'], start: '2020-01-01', end: '2020-01-02' }, /tables/));
  it('rejects a date that does not exist', () => bad({ tables: 'all', start: '2021-02-29', end: '2021-03-01' }, /start: must be a real calendar date/));
  it('rejects SQL in a date', () => bad({ tables: 'all', start: "2020-01-01'; DROP TABLE x; --", end: '2020-01-02' }, /start/));
  it('rejects unknown fields instead of ignoring them', () => bad({ tables: 'all', start: '2020-01-01', end: '2020-01-02', force: true }, /force/));
  it('rejects a range past the limit', () => bad({ tables: 'all', start: '2016-10-01', end: '2099-01-01' }, /longer than the limit/));
  it('rejects a start before the warehouse begins', () => bad({ tables: 'all', start: '2000-01-01', end: '2000-01-02' }, /before 2016-10-01/));
  it('rejects a wrong mode', () => bad({ tables: 'all', start: '2020-01-01', end: '2020-01-02', mode: 'staging' }, /mode/));
});
