import assert from 'node:assert/strict';
import { addDaysIso, isIsoDate } from '../../../shared/util/dates.js';

describe('isIsoDate', function () {
  it('accepts calendar dates as YYYY-MM-DD and refuses the rest, the same the second time (its cache)', function () {
    const valid = ['2024-02-29', '2016-10-01', '2000-02-29', '2024-12-31'];
    const invalid = ['2024-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-1-01', '2024-01-01T00:00:00Z', ' 2024-01-01', '', 20240101, null];
    for (let round = 0; round < 2; round++) {
      for (const d of valid) assert.equal(isIsoDate(d), true, `${d}, round ${round}`);
      for (const d of invalid) assert.equal(isIsoDate(d), false, `${String(d)}, round ${round}`);
    }
  });

  it('stays right past the size of its cache', function () {
    let date = '1800-01-01';
    for (let i = 0; i < 100_050; i++) {
      assert.equal(isIsoDate(date), true);
      date = addDaysIso(date, 1);
    }
    assert.equal(isIsoDate('2024-02-30'), false);
    assert.equal(isIsoDate('1800-01-01'), true);
  });
});

describe('addDaysIso', function () {
  it('shifts across month, leap day and year ends, the same the second time (its cache), and refuses a date that is not one', function () {
    const cases: Array<[string, number, string]> = [
      ['2024-02-28', 1, '2024-02-29'], ['2024-02-29', 1, '2024-03-01'], ['2023-02-28', 1, '2023-03-01'],
      ['2024-01-01', -1, '2023-12-31'], ['2016-10-01', -366, '2015-10-01'], ['2024-06-30', 0, '2024-06-30'],
      ['2020-03-08', 14, '2020-03-22'], ['2000-03-01', -1, '2000-02-29'],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [date, days, shifted] of cases) assert.equal(addDaysIso(date, days), shifted, `${date} ${days} (round ${round})`);
    }
    assert.equal(addDaysIso('2024-02-29', 1), '2024-03-01');
    assert.equal(addDaysIso('2024-02-29', -1), '2024-02-28', 'the same date with another shift is its own entry');
    for (let round = 0; round < 2; round++) assert.throws(() => addDaysIso('not a date', 1), RangeError);
  });
});
