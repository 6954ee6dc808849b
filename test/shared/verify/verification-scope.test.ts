import assert from 'node:assert/strict';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { InvalidInputError } from '../../../shared/input/invalid-input.js';
import { parseVerificationOptions, parseVerificationScope } from '../../../shared/verify/verification-scope.js';

const isScopeError = (pattern: RegExp) => (e: unknown) => e instanceof InvalidInputError && pattern.test(e.message);

describe('parseVerificationScope', () => {
  it('takes excluded dates sorted and unique, and refuses one outside the range', () => {
    assert.deepEqual(parseVerificationScope({ tables: 'all', start: '2021-11-01', end: '2021-11-30', excludeDates: ['2021-11-15', '2021-11-02', '2021-11-15'] }).excludeDates, ['2021-11-02', '2021-11-15']);
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-11-01', end: '2021-11-30', excludeDates: ['2021-12-01'] }), /excludeDates: 2021-12-01 is outside 2021-11-01\.\.2021-11-30/);
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-11-01', end: '2021-11-30', excludeDates: ['2021-11-31'] }), /excludeDates\.0/);
  });

  it('expands all into every table in dependency order and defaults to production', () => {
    assert.deepEqual(parseVerificationScope({ tables: 'all', start: '2021-11-01', end: '2021-11-30' }), {
      tables: [...ANALYTICS_TABLES],
      start: '2021-11-01',
      end: '2021-11-30',
      mode: 'production',
      excludeDates: [],
    });
  });

  it('puts named tables in dependency order without repeats', () => {
    const scope = parseVerificationScope({ tables: ['upcoming_team_game_context', 'player_game_summary', 'player_game_summary'], start: '2021-11-01', end: '2021-11-01' });
    assert.deepEqual(scope.tables, ['player_game_summary', 'upcoming_team_game_context']);
  });

  it('refuses a date that is not a real date, an end before the start and an unknown table', () => {
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-02-30', end: '2021-03-01' }), isScopeError(/start/));
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-03-02', end: '2021-03-01' }), isScopeError(/end: end 2021-03-01 is before start 2021-03-02/));
    assert.throws(() => parseVerificationScope({ tables: ['box_scores'], start: '2021-03-01', end: '2021-03-01' }), isScopeError(/tables/));
  });

  it('holds a scope to the limits of a backfill request: the earliest date, the longest range, known fields', () => {
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2015-01-01', end: '2015-01-02' }), isScopeError(/start: start 2015-01-01 is before 2016-10-01/));
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2016-10-01', end: '9999-12-31' }), isScopeError(/end: range of \d+ days is longer than the limit/));
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-03-01', end: '2021-03-01', from: 'x' }), isScopeError(/unknown field "from"; known: tables, start, end, mode, excludeDates/));
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-03-01', end: '2021-03-01', excludeDates: ['2021-03-02'] }, { rename: { excludeDates: 'exclude' } }), isScopeError(/exclude: 2021-03-02 is outside/));
  });

  it('refuses a tolerance outside 0..1 and defaults to exact', () => {
    assert.deepEqual(parseVerificationOptions(undefined), { tolerance: 0, leakageSampleDates: 3 });
    assert.throws(() => parseVerificationOptions({ tolerance: 5 }), isScopeError(/tolerance/));
  });
});
