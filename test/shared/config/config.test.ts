import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../shared/config/config.js';
import { DEFAULTS, LIMITS, SEED_RANGE } from '../../../shared/config/defaults.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.warehouse, 'bigquery');
    assert.equal(config.ledger, 'firestore');
    assert.deepEqual(config.topics, { chunks: 'backfill-chunks', reconcile: 'backfill-reconcile', alerts: 'backfill-alerts' });
    assert.equal(config.limits.maxInFlight, DEFAULTS.maxInFlight);
    assert.equal(config.limits.datesPerJob, DEFAULTS.datesPerJob);
    assert.deepEqual(config.coverageTargets.map((t) => [t.table, t.start, t.end]), ANALYTICS_TABLES.map((t) => [t, SEED_RANGE.start, undefined]));
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
    ['coverage targets that are not JSON', { COVERAGE_TARGETS: '{player_game_summary' }, /COVERAGE_TARGETS is not JSON/],
    ['a coverage target for an unknown table', { COVERAGE_TARGETS: '{"box_scores":{"start":"2020-01-01"}}' }, /COVERAGE_TARGETS/],
    ['a webhook that is not a URL', { ALERT_WEBHOOK_URL: 'hooks.slack.com/x' }, /ALERT_WEBHOOK_URL/],
  ] as const) {
    it(`refuses ${name}, naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: Error) => error instanceof ConfigError && pattern.test(error.message));
    });
  }

  it('takes a coverage target per table and turns healing off for the others when COVERAGE_START is empty', () => {
    const config = loadConfig({
      COVERAGE_START: '',
      COVERAGE_TARGETS: JSON.stringify({ team_offense_game_summary: { start: '2023-10-24', end: '2024-06-17' } }),
    });
    assert.deepEqual(config.coverageTargets, [{ table: 'team_offense_game_summary', start: '2023-10-24', end: '2024-06-17' }]);
  });
});
