import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../../shared/config/config.js';
import { DEFAULTS } from '../../../shared/config/defaults.js';
import { DEFAULT_LIMITS, localLimits, processorOptionsFrom, reconcileLimitsFrom } from '../../../shared/config/wiring.js';
import { REPO_ROOT as repoRoot } from '../../support/infra.js';

const SETTINGS = {
  MAX_IN_FLIGHT: '41', MAX_IN_FLIGHT_PER_TABLE: '17', MAX_ATTEMPTS: '4', LEASE_MS: '90000',
  RETRY_BASE_MS: '1500', RETRY_MAX_MS: '45000', DATES_PER_JOB: '9', MAX_EVENT_AGE_SECONDS: '600',
  MAX_DATES_PER_JOB: '300', MAX_ROWS_PER_JOB: '50000', QUOTA_GIVE_UP_MS: '900000',
};

describe('the composition root: config to the options of the core (shared/config/wiring.ts)', () => {
  it('gives a service with no settings its defaults', () => {
    assert.deepEqual(loadConfig({}).limits, DEFAULT_LIMITS);
  });

  it('holds a table\'s later jobs of a pass only on BigQuery, whose queue they join; DuckDB has none', () => {
    assert.equal(loadConfig({ WAREHOUSE: 'bigquery' }).limits.queueOrderHoldMs, DEFAULTS.queueOrderHoldMs);
    assert.ok(DEFAULTS.queueOrderHoldMs > 0);
    assert.equal(loadConfig({ WAREHOUSE: 'duckdb' }).limits.queueOrderHoldMs, 0);
    assert.deepEqual([loadConfig({ WAREHOUSE: 'bigquery' }).limits.tableDmlSlots, loadConfig({ WAREHOUSE: 'duckdb' }).limits.tableDmlSlots], [2, 0]);
  });

  it('carries every setting a user can make to the chunk processor', () => {
    const options = processorOptionsFrom(loadConfig(SETTINGS).limits, 'worker-1');
    assert.deepEqual(options, {
      workerId: 'worker-1', leaseMs: 90_000, maxAttempts: 4, retryBaseMs: 1500, retryMaxMs: 45_000, maxEventAgeSeconds: 600,
      quotaGiveUpMs: 900_000, jobSize: { initialDates: 9, maxDates: 300, maxRows: 50_000 },
    });
  });

  it('carries them to reconcile, LEASE_MS being how long a queued chunk may wait before it is published again', () => {
    const limits = reconcileLimitsFrom(loadConfig(SETTINGS).limits);
    assert.deepEqual(limits, { maxInFlight: 41, maxInFlightPerTable: 17, maxAttempts: 4, datesPerJob: 9, maxDatesPerJob: 300, queuedStallMs: 90_000, queueOrderHoldMs: DEFAULTS.queueOrderHoldMs, tableDmlSlots: 2 });
  });

  it('never lets the back-off cap fall below its base', () => {
    assert.equal(loadConfig({ RETRY_BASE_MS: '60000', RETRY_MAX_MS: '1000' }).limits.retryMaxMs, 60_000);
  });

  it('sizes a local run from its flags: two messages in flight per worker, retries within seconds', () => {
    const limits = localLimits({ concurrency: 3, datesPerJob: 10, maxAttempts: 2 });
    assert.equal(limits.maxInFlight, 60);
    assert.equal(limits.maxInFlightPerTable, 60);
    assert.equal(limits.maxAttempts, 2);
    assert.equal(limits.datesPerJob, 10);
    assert.equal(limits.maxDatesPerJob, 10, 'a local job is as large as asked: DuckDB has no rate limit to find');
    assert.equal(limits.retryBaseMs, DEFAULTS.localRetryBaseMs);
    assert.equal(limits.retryMaxMs, DEFAULTS.localRetryMaxMs);
    assert.equal(limits.leaseMs, DEFAULTS.leaseMs);
    assert.equal(limits.queueOrderHoldMs, 0, 'DuckDB queues nothing: no job is held');
    assert.equal(limits.tableDmlSlots, 0, 'nor shared over slots it does not have');
  });

  it('is the only place that builds processor options or reconcile limits: every entry point calls it', () => {
    const offenders: string[] = [];
    const callers: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          const file = relative(repoRoot, path);
          // A literal options object handed to the processor, or a hand-made ReconcileLimits.
          if (/createChunkProcessor\([^;]*?\{\s*workerId/s.test(text) || /queuedStallMs:/.test(text)) offenders.push(file);
          if (/processorOptionsFrom\(|reconcileLimitsFrom\(/.test(text)) callers.push(file);
        }
      }
    };
    for (const dir of ['functions', 'dev', 'cli', 'bench', 'test/support']) walk(join(repoRoot, dir));
    assert.deepEqual(offenders, [], 'build them with processorOptionsFrom / reconcileLimitsFrom');
    for (const entry of ['functions/process-chunk.ts', 'functions/reconcile.ts', 'cli/local-worker.ts', 'bench/support/scenario.ts', 'bench/support/plans.ts']) {
      assert.ok(callers.includes(entry), `${entry} wires the core through shared/config/wiring.ts`);
    }
  });
});
