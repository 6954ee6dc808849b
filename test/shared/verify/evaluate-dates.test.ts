import assert from 'node:assert/strict';
import { evaluateDates, type DateEvaluationInput } from '../../../shared/verify/evaluate-dates.js';
import { chunk } from './ledger-fixtures.js';

const T = 'team_offense_game_summary';

function input(over: Partial<DateEvaluationInput>): DateEvaluationInput {
  return {
    mode: 'production',
    expectations: [
      { date: '2021-11-01', expectedRows: 4, sourceShortGames: 0 },
      { date: '2021-11-02', expectedRows: 6, sourceShortGames: 0 },
      { date: '2021-11-03', expectedRows: 2, sourceShortGames: 1 },
      { date: '2021-11-05', expectedRows: 8, sourceShortGames: 0 },
    ],
    counts: new Map([
      ['2021-11-01', { rows: 4, wrongModeRows: 0 }],
      ['2021-11-02', { rows: 6, wrongModeRows: 0 }],
      ['2021-11-03', { rows: 2, wrongModeRows: 0 }],
      ['2021-11-05', { rows: 8, wrongModeRows: 0 }],
    ]),
    testCounts: new Map(),
    chunks: null,
    tolerance: 0,
    ...over,
  };
}

describe('evaluateDates', () => {
  it('leaves source-short dates out of expected and lists them as no_source', () => {
    const result = evaluateDates(input({}));
    assert.equal(result.expectedRows, 18);
    assert.equal(result.expectedDates, 3);
    assert.equal(result.completeDates, 3);
    assert.deepEqual(result.completeDateList, [
      { date: '2021-11-01', expectedRows: 4, rows: 4 },
      { date: '2021-11-02', expectedRows: 6, rows: 6 },
      { date: '2021-11-05', expectedRows: 8, rows: 8 },
    ], 'the complete dates, the no_source date left out');
    assert.equal(result.coveragePct, 75, 'the no_source date counts as not covered');
    assert.equal(result.sourceShortDates, 1);
    assert.equal(result.sourceShortGames, 1);
    assert.equal(result.rows, 20);
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.kind === 'date_rows' ? p.reason : '', p.kind === 'date_rows' ? p.dates.map((d) => d.date) : []]),
      [['date_rows', 'no_source', ['2021-11-03']]],
    );
  });

  it('reports min, max and distinct dates from the rows, not the expectation', () => {
    const counts = new Map([['2021-11-02', { rows: 6, wrongModeRows: 0 }]]);
    const result = evaluateDates(input({ counts }));
    assert.deepEqual([result.minDate, result.maxDate, result.distinctDates], ['2021-11-02', '2021-11-02', 1]);
    assert.equal(result.coveragePct, 25);
  });

  it('explains each missing date from the ledger and keeps the last error', () => {
    const counts = new Map([['2021-11-01', { rows: 4, wrongModeRows: 0 }]]);
    const chunks = new Map([
      ['2021-11-02', chunk(T, '2021-11-02', 'dead', { lastError: 'QuotaError: too many', attempts: 5 })],
      ['2021-11-05', chunk(T, '2021-11-05', 'succeeded')],
    ]);
    const result = evaluateDates(input({ counts, chunks }));
    const dead = result.problems.find((p) => p.kind === 'date_rows' && p.reason === 'dead');
    const partial = result.problems.find((p) => p.kind === 'date_rows' && p.reason === 'partial');
    assert.ok(dead && dead.kind === 'date_rows');
    assert.deepEqual(dead.dates[0]?.chunk, { state: 'dead', attempts: 5, lastError: 'QuotaError: too many' });
    assert.ok(partial && partial.kind === 'date_rows');
    assert.deepEqual(partial.dates.map((d) => d.date), ['2021-11-05']);
  });

  it('compresses problem dates over game dates: a no_source date between two gaps splits them', () => {
    const counts = new Map<string, { rows: number; wrongModeRows: number }>([['2021-11-03', { rows: 2, wrongModeRows: 0 }]]);
    const result = evaluateDates(input({ counts }));
    const gaps = result.problems.find((p) => p.kind === 'date_rows' && p.reason === 'not_processed');
    assert.ok(gaps && gaps.kind === 'date_rows');
    assert.deepEqual(gaps.ranges, [
      { start: '2021-11-01', end: '2021-11-02', dates: 2 },
      { start: '2021-11-05', end: '2021-11-05', dates: 1 },
    ]);
  });

  it('reports rows on dates where nothing was expected, and rows of the other run mode', () => {
    const counts = new Map([
      ...input({}).counts,
      ['2021-11-04', { rows: 3, wrongModeRows: 3 }],
      ['2021-11-05', { rows: 8, wrongModeRows: 1 }],
    ]);
    const result = evaluateDates(input({ counts }));
    const unexpected = result.problems.find((p) => p.kind === 'unexpected_rows');
    const wrongMode = result.problems.find((p) => p.kind === 'wrong_run_mode');
    assert.deepEqual(unexpected && unexpected.kind === 'unexpected_rows' && unexpected.dates, [{ date: '2021-11-04', rows: 3 }]);
    assert.ok(wrongMode && wrongMode.kind === 'wrong_run_mode');
    assert.equal(wrongMode.rows, 4);
    assert.equal(wrongMode.expectedRunMode, 'production');
  });

  it('marks a date only the test dataset holds as test_only, and never counts it as covered', () => {
    const counts = new Map([['2021-11-01', { rows: 4, wrongModeRows: 0 }]]);
    const testCounts = new Map([['2021-11-02', 6]]);
    const result = evaluateDates(input({ counts, testCounts }));
    const testOnly = result.problems.find((p) => p.kind === 'date_rows' && p.reason === 'test_only');
    assert.ok(testOnly && testOnly.kind === 'date_rows');
    assert.deepEqual(testOnly.dates.map((d) => [d.date, d.testRows]), [['2021-11-02', 6]]);
    assert.equal(result.completeDates, 1);
    assert.equal(result.testDatasetRows, 6);
  });

  it('gives every date with games exactly one state: complete, or one date reason', () => {
    const counts = new Map([['2021-11-01', { rows: 4, wrongModeRows: 0 }], ['2021-11-05', { rows: 9, wrongModeRows: 0 }]]);
    const chunks = new Map([['2021-11-02', chunk(T, '2021-11-02', 'failed', { lastError: 'boom' })]]);
    const result = evaluateDates(input({ counts, chunks }));
    const stated = [
      ...result.completeDateList.map((d) => [d.date, 'complete']),
      ...result.problems.flatMap((p) => (p.kind === 'date_rows' ? p.dates.map((d) => [d.date, p.reason]) : [])),
    ].sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
    assert.deepEqual(stated, [['2021-11-01', 'complete'], ['2021-11-02', 'failed'], ['2021-11-03', 'no_source'], ['2021-11-05', 'excess']]);
    assert.equal(result.completeDateList.length, result.completeDates);
  });

  it('gives no coverage figure when nothing is expected', () => {
    const result = evaluateDates(input({ expectations: [], counts: new Map() }));
    assert.equal(result.coveragePct, null);
    assert.deepEqual(result.problems, []);
  });
});
