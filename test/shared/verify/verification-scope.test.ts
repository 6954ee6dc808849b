import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { Warehouse } from '../../../shared/ports/warehouse.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { InvalidVerificationScopeError, parseVerificationOptions, parseVerificationScope } from '../../../shared/verify/verification-scope.js';
import { verify } from '../../../shared/verify/verify.js';

const isScopeError = (pattern: RegExp) => (e: unknown) => e instanceof InvalidVerificationScopeError && pattern.test(e.message);

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
    assert.throws(() => parseVerificationScope({ tables: 'all', start: '2021-03-02', end: '2021-03-01' }), isScopeError(/end is before start/));
    assert.throws(() => parseVerificationScope({ tables: ['box_scores'], start: '2021-03-01', end: '2021-03-01' }), isScopeError(/tables/));
  });

  it('refuses a tolerance outside 0..1 and defaults to exact', () => {
    assert.deepEqual(parseVerificationOptions(undefined), { tolerance: 0, leakageSampleDates: 3 });
    assert.throws(() => parseVerificationOptions({ tolerance: 5 }), isScopeError(/tolerance/));
  });
});

describe('verify with a bad scope', () => {
  afterEach(() => sinon.restore());

  it('rejects before it runs a single query', async () => {
    const query = sinon.stub().rejects(new Error('must not be called'));
    const warehouse = { dialect: 'duckdb', query, context: sinon.stub() } as unknown as Warehouse;
    await assert.rejects(
      verify({ warehouse, scope: { tables: 'all', start: '2021-11-30', end: '2021-11-01' }, now: 0 }),
      isScopeError(/end is before start/),
    );
    sinon.assert.notCalled(query);
  });
});
