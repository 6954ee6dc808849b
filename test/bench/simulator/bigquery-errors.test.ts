import assert from 'node:assert/strict';
import { common } from '@google-cloud/bigquery';
import {
  dmlQueueFull, dmlRateExceeded, jobRefused, partitionDailyQuotaExceeded, tableRateExceeded, tooManyPartitions, type Refusal,
} from '../../../bench/simulator/bigquery-errors.js';
import { classifyError } from '../../../shared/errors/classify.js';

const TABLE = 'demo.nba_analytics.player_game_summary';

describe('simulated BigQuery refusals', function () {
  const cases: Array<[string, Refusal, string, 'rateLimitExceeded' | 'quotaExceeded']> = [
    ['the DML queue is full', dmlQueueFull(TABLE, 20), 'dml-queue', 'rateLimitExceeded'],
    ['too many DML statements in the window', dmlRateExceeded(TABLE), 'dml-rate', 'rateLimitExceeded'],
    ['too many table modifications in the window', tableRateExceeded(TABLE), 'table-rate', 'rateLimitExceeded'],
    ['the daily partition quota is spent', partitionDailyQuotaExceeded(TABLE), 'partition-daily', 'quotaExceeded'],
  ];

  for (const [what, refusal, limit, reason] of cases) {
    it(`${what}: ${reason}, the client's ApiError, classified as quota`, function () {
      assert.equal(refusal.limit, limit);
      assert.ok(refusal.error instanceof common.util.ApiError);
      // The job status's items carry `location`, which the HTTP-error typings of ApiError do not list.
      const { errors } = refusal.error as unknown as { errors?: Array<{ reason: string; location?: string }> };
      assert.equal(errors?.length, 1);
      assert.equal(errors?.[0]?.reason, reason);
      assert.equal(errors?.[0]?.location, TABLE);
      assert.equal(classifyError(refusal.error), 'quota');
    });
  }

  it('a job over too many partitions: invalidQuery, the client\'s ApiError, classified as permanent (splitting the job can succeed, retrying it cannot)', function () {
    const refusal = tooManyPartitions(TABLE, 4000, 4001);
    assert.equal(refusal.limit, 'job-partitions');
    assert.ok(refusal.error instanceof common.util.ApiError);
    const { errors } = refusal.error as unknown as { errors?: Array<{ reason: string; message: string }> };
    assert.equal(errors?.[0]?.reason, 'invalidQuery');
    assert.equal(errors?.[0]?.message, 'Too many partitions produced by query, allowed 4000, query produces at least 4001 partitions');
    assert.equal(classifyError(refusal.error), 'permanent');
  });

  it('is built exactly as Job.poll_ builds a failed job\'s error from its status', function () {
    const item = { reason: 'rateLimitExceeded' as const, message: 'Exceeded rate limits: too many table update operations for this table.', location: TABLE };
    const ours = jobRefused(item);
    const clients = new common.util.ApiError({ state: 'DONE', errorResult: { ...item }, errors: [{ ...item }] } as never);
    assert.deepEqual({ ...ours, stack: undefined }, { ...clients, stack: undefined });
    assert.equal(ours.message, clients.message);
    assert.equal(ours.name, clients.name);
  });
});
