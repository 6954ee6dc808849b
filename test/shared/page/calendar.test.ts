import assert from 'node:assert/strict';
import { seasonName, seasonRows, tableCells, type Cell } from '../../../shared/page/calendar.js';
import { tableReport } from '../verify/report-fixture.js';

const at = (date: string): Cell => ({ date, state: 'complete', rows: 1, expectedRows: 1, note: null });

describe('calendar: a table report as cells and seasons', () => {
  it('gives every date its state from the report, dates in order, and a queued or running chunk shows as in flight', () => {
    const table = tableReport({
      table: 'team_offense_game_summary',
      completeDates: 2,
      completeDateList: [{ date: '2021-11-03', expectedRows: 20, rows: 20 }, { date: '2021-11-01', expectedRows: 18, rows: 18 }],
      problems: [
        {
          kind: 'date_rows', reason: 'not_processed', expectedRows: 40, rows: 0, ranges: [],
          dates: [
            { date: '2021-11-02', expectedRows: 20, rows: 0, sourceShortGames: 0, testRows: 0, chunk: { state: 'running', attempts: 0, lastError: null } },
            { date: '2021-11-04', expectedRows: 20, rows: 0, sourceShortGames: 0, testRows: 0, chunk: null },
          ],
        },
        {
          kind: 'date_rows', reason: 'failed', expectedRows: 16, rows: 0, ranges: [],
          dates: [{ date: '2021-11-05', expectedRows: 16, rows: 0, sourceShortGames: 0, testRows: 0, chunk: { state: 'failed', attempts: 2, lastError: 'rateLimitExceeded' } }],
        },
        { kind: 'duplicate_keys', keys: 1, extraRows: 1, sample: [] },
      ],
    });
    const cells = tableCells(table);
    assert.deepEqual(cells.map((c) => [c.date, c.state]), [
      ['2021-11-01', 'complete'], ['2021-11-02', 'in_flight'], ['2021-11-03', 'complete'], ['2021-11-04', 'not_processed'], ['2021-11-05', 'failed'],
    ]);
    assert.equal(cells[1]?.note, 'missing (not processed) until its chunk ends; chunk running');
    assert.equal(cells[4]?.note, 'chunk failed, 2 failed attempts: rateLimitExceeded');
    assert.equal(cells[0]?.note, null);
  });

  it('names a season by the year it started in, from September', () => {
    assert.deepEqual(['2016-10-25', '2017-06-12', '2020-08-15', '2020-12-22', '2018-04-01', '2099-09-30'].map(seasonName),
      ['2016-17', '2016-17', '2019-20', '2020-21', '2017-18', '2099-00']);
  });

  it('starts a row at each off-season, keeps the 2020 hiatus and bubble in 2019-20, and splits a scope with years missing', () => {
    const dates = [
      '2019-10-22', '2020-01-15', '2020-03-11', '2020-07-30', '2020-08-30', '2020-10-11', // the hiatus, then the bubble
      '2020-12-22', '2021-02-01', '2021-04-01', '2021-05-30', '2021-07-20', // a late season
      '2021-10-19', '2021-11-20', '2024-03-25', '2024-04-14', // years apart
    ];
    assert.deepEqual(seasonRows(dates.map(at)).map((r) => [r.season, r.cells.length]), [['2019-20', 6], ['2020-21', 5], ['2021-22', 2], ['2023-24', 2]]);
    assert.deepEqual(seasonRows([]), []);
  });
});
