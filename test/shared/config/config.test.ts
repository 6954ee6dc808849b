import assert from 'node:assert/strict';
import { loadConfig } from '../../../shared/config/config.js';
import { InvalidInputError } from '../../../shared/input/invalid-input.js';
import { DEFAULTS, LIMITS, SEED_RANGE } from '../../../shared/config/defaults.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { addDaysIso } from '../../../shared/util/dates.js';

/** `count` consecutive days from 2000-01-01, ascending. */
function excludedDays(count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDaysIso('2000-01-01', i));
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.warehouse, 'bigquery');
    assert.equal(config.ledger, 'firestore');
    assert.deepEqual(config.topics, { chunks: 'backfill-chunks', reconcile: 'backfill-reconcile', alerts: 'backfill-alerts' });
    assert.equal(config.limits.maxInFlight, DEFAULTS.maxInFlight);
    assert.equal(config.limits.datesPerJob, DEFAULTS.datesPerJob);
    assert.deepEqual(config.coverageTargets.map((t) => [t.table, t.start, t.end]), ANALYTICS_TABLES.map((t) => [t, SEED_RANGE.start, undefined]));
    assert.deepEqual(config.coverageExcludeDates, []);
  });

  it('reads numbers given as text', () => {
    const config = loadConfig({ MAX_IN_FLIGHT: '40', DATES_PER_JOB: '7', LEASE_MS: '60000' });
    assert.equal(config.limits.maxInFlight, 40);
    assert.equal(config.limits.datesPerJob, 7);
    assert.equal(config.limits.leaseMs, 60_000);
  });

  for (const [name, env, pattern] of [
    ['a warehouse it does not know', { WAREHOUSE: 'postgres' }, /WAREHOUSE/],
    ['a limit that is not a positive whole number', { MAX_IN_FLIGHT: '-3' }, /MAX_IN_FLIGHT/],
    ['more dates per job than a chunk message can carry', { DATES_PER_JOB: String(LIMITS.maxDatesPerJob + 1) }, /DATES_PER_JOB/],
    ['a coverage start that is not a date', { COVERAGE_START: '2016-13-01' }, /COVERAGE_START/],
    ['coverage targets that are not JSON', { COVERAGE_TARGETS: '{player_game_summary' }, /COVERAGE_TARGETS: not JSON/],
    ['a coverage target for an unknown table', { COVERAGE_TARGETS: '{"box_scores":{"start":"2020-01-01"}}' }, /COVERAGE_TARGETS/],
    ['a webhook that is not a URL', { ALERT_WEBHOOK_URL: 'hooks.slack.com/x' }, /ALERT_WEBHOOK_URL/],
    ['an excluded date that does not exist', { COVERAGE_EXCLUDE_DATES: '2021-02-29' }, /COVERAGE_EXCLUDE_DATES: not dates \(YYYY-MM-DD\): "2021-02-29"/],
    ['an excluded date in another format', { COVERAGE_EXCLUDE_DATES: '2021-11-01,11/02/2021' }, /COVERAGE_EXCLUDE_DATES: not dates .*"11\/02\/2021"/],
    ['an empty entry among the excluded dates', { COVERAGE_EXCLUDE_DATES: '2021-11-01,,2021-11-03' }, /COVERAGE_EXCLUDE_DATES: not dates .*""/],
    ['excluded dates out of order', { COVERAGE_EXCLUDE_DATES: '2021-11-03,2021-11-01' }, /COVERAGE_EXCLUDE_DATES: dates must be ascending: 2021-11-01 comes after 2021-11-03/],
    ['an excluded date listed twice', { COVERAGE_EXCLUDE_DATES: '2021-11-01,2021-11-01' }, /COVERAGE_EXCLUDE_DATES: 2021-11-01 is listed twice/],
    ['more excluded dates than the limit', { COVERAGE_EXCLUDE_DATES: excludedDays(LIMITS.maxExcludedDates + 1).join(',') }, new RegExp(`COVERAGE_EXCLUDE_DATES: at most ${LIMITS.maxExcludedDates} dates`)],
  ] as const) {
    it(`refuses ${name}, naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof InvalidInputError && error.what === 'configuration' && pattern.test(error.message));
    });
  }

  it('reads COVERAGE_EXCLUDE_DATES into ascending dates, up to the limit, spaces around commas allowed', () => {
    assert.deepEqual(loadConfig({ COVERAGE_EXCLUDE_DATES: '2021-11-01, 2021-11-25 ,2022-02-20' }).coverageExcludeDates, ['2021-11-01', '2021-11-25', '2022-02-20']);
    assert.deepEqual(loadConfig({ COVERAGE_EXCLUDE_DATES: ' ' }).coverageExcludeDates, []);
    assert.equal(loadConfig({ COVERAGE_EXCLUDE_DATES: excludedDays(LIMITS.maxExcludedDates).join(',') }).coverageExcludeDates.length, LIMITS.maxExcludedDates);
  });

  it('takes a coverage target per table and turns healing off for the others when COVERAGE_START is empty', () => {
    const config = loadConfig({
      COVERAGE_START: '',
      COVERAGE_TARGETS: JSON.stringify({ team_offense_game_summary: { start: '2023-10-24', end: '2024-06-17' } }),
    });
    assert.deepEqual(config.coverageTargets, [{ table: 'team_offense_game_summary', start: '2023-10-24', end: '2024-06-17' }]);
  });
});
