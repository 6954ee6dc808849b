import assert from 'node:assert/strict';
import { compressDates, formatRanges } from '../../../shared/verify/date-ranges.js';

describe('compressDates', () => {
  const calendar = ['2024-02-14', '2024-02-15', '2024-02-22', '2024-02-23', '2024-02-24'];

  it('keeps dates consecutive across days without games (an All-Star break)', () => {
    assert.deepEqual(compressDates(['2024-02-14', '2024-02-15', '2024-02-22'], calendar), [
      { start: '2024-02-14', end: '2024-02-22', dates: 3 },
    ]);
  });

  it('splits a range at a game date that is not a problem', () => {
    assert.deepEqual(compressDates(['2024-02-14', '2024-02-22', '2024-02-24'], calendar), [
      { start: '2024-02-14', end: '2024-02-14', dates: 1 },
      { start: '2024-02-22', end: '2024-02-22', dates: 1 },
      { start: '2024-02-24', end: '2024-02-24', dates: 1 },
    ]);
  });

  it('places dates that are not on the calendar rather than dropping them', () => {
    assert.deepEqual(compressDates(['2024-02-16', '2024-02-22'], calendar), [{ start: '2024-02-16', end: '2024-02-22', dates: 2 }]);
  });

  it('returns no range for no dates', () => {
    assert.deepEqual(compressDates([], calendar), []);
  });
});

describe('formatRanges', () => {
  it('shows single dates alone, ranges with two dots, and caps the rest', () => {
    const ranges = [
      { start: '2021-11-01', end: '2021-11-30', dates: 30 },
      { start: '2021-12-03', end: '2021-12-03', dates: 1 },
      { start: '2021-12-05', end: '2021-12-06', dates: 2 },
    ];
    assert.equal(formatRanges(ranges, 5), '2021-11-01..2021-11-30, 2021-12-03, 2021-12-05..2021-12-06');
    assert.equal(formatRanges(ranges, 1), '2021-11-01..2021-11-30, ... and 2 more');
  });
});
