import assert from 'node:assert/strict';
import { common } from '@google-cloud/bigquery';
import { BIGQUERY_LIMITS } from '../../../bench/simulator/bigquery-limits.js';
import { classifyError, toServiceError } from '../../../shared/errors/classify.js';
import { QuotaError } from '../../../shared/errors/errors.js';
import { renderQuery } from '../../../shared/sql/render.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import { dates, LimitsHarness, type Tracked } from './limits-harness.js';

const SECOND = 1000;

/** The reason and message of a refusal, after checking it is the client's own error class. */
function refusal(tracked: Tracked<unknown>): { reason: string; message: string } {
  assert.equal(tracked.state, 'rejected', 'the MERGE was refused');
  const error = tracked.error as { errors?: Array<{ reason: string; message: string }> };
  assert.ok(error instanceof common.util.ApiError, 'refusals are @google-cloud/common ApiError, as the client raises them');
  const [item] = error.errors ?? [];
  assert.ok(item, 'the error carries the job status errors');
  return item;
}

describe('BigQuery limits warehouse', function () {
  it('has the documented limits by default: 2 running, 20 queued, 25 DML and 50 modifications (one a job) per 10 s, 4,000 partitions a job, DML not charged daily', function () {
    assert.deepEqual(BIGQUERY_LIMITS, {
      concurrentMutatingDml: 2,
      queuedMutatingDml: 20,
      dmlPerWindow: 25,
      tableModificationsPerWindow: 50,
      countPartitionModifications: 'per-job',
      windowMs: 10_000,
      partitionsPerJob: 4_000,
      partitionModificationsPerDay: 30_000,
      dailyQuotaChargesDml: false,
    });
  });

  describe('mutating DML concurrency', function () {
    it('runs at most two MERGEs of a table at once and starts the queued ones in order as slots free', async function () {
      const h = new LimitsHarness();
      const jobs = dates(5).map((d) => h.merge('player_game_summary', [d]));
      await h.settle();
      assert.equal(h.writes.length, 0, 'nothing is written before a MERGE has run its 6 s');

      await h.clock.advance(6 * SECOND);
      assert.deepEqual(h.writes.map((w) => w.dates[0]), dates(2));
      assert.deepEqual(jobs.map((j) => j.state), ['fulfilled', 'fulfilled', 'pending', 'pending', 'pending']);

      await h.clock.advance(6 * SECOND);
      await h.clock.advance(6 * SECOND);
      assert.deepEqual(h.writes.map((w) => w.dates[0]), dates(5), 'in the order they were submitted');
      assert.deepEqual(h.writes.map((w) => w.at / SECOND), [6, 6, 12, 12, 18]);
      const stats = h.statsOf('player_game_summary');
      assert.equal(stats?.maxRunning, 2);
      assert.equal(stats?.maxQueued, 3);
      assert.equal(stats?.queuedMs, (0 + 0 + 6 + 6 + 12) * SECOND);
    });

    it('gives every table its own two slots, and test datasets their own too', async function () {
      const h = new LimitsHarness();
      for (const table of ['player_game_summary', 'team_offense_game_summary'] as const) for (const d of dates(3)) h.merge(table, [d]);
      for (const d of dates(3)) h.merge('player_game_summary', [d], 'test');
      await h.clock.advance(6 * SECOND);
      assert.equal(h.writesOf('player_game_summary').filter((w) => w.mode === 'production').length, 2);
      assert.equal(h.writesOf('team_offense_game_summary').length, 2);
      assert.equal(h.writesOf('player_game_summary').filter((w) => w.mode === 'test').length, 2);
    });

    it('fails the statement past 2 running and 20 queued at once, and runs every one it accepted', async function () {
      const h = new LimitsHarness();
      const jobs = dates(23).map((d) => h.merge('player_game_summary', [d]));
      await h.settle();
      const last = jobs[22] as Tracked<unknown>;
      assert.equal(last.state, 'pending', 'a refused job still takes the time a failed job takes');
      await h.clock.advance(SECOND / 2);
      const { reason, message } = refusal(last);
      assert.equal(reason, 'rateLimitExceeded');
      assert.match(message, /^Resources exceeded during query execution: Too many DML statements outstanding against table \S+\.nba_analytics\.player_game_summary, limit is 20\.$/);
      assert.equal(last.at, SECOND / 2);
      assert.equal(h.statsOf('player_game_summary')?.rejected['dml-queue'], 1);
      assert.equal(h.statsOf('player_game_summary')?.maxQueued, 20);

      // 22 accepted, two at a time, 6 s each.
      await h.clock.advance(66 * SECOND);
      assert.equal(jobs.filter((j) => j.state === 'fulfilled').length, 22);
      assert.equal(h.writes.length, 22);
    });

    it('accepts a statement again as soon as a queued one has started', async function () {
      const h = new LimitsHarness();
      dates(22).forEach((d) => h.merge('player_game_summary', [d]));
      await h.clock.advance(6 * SECOND);
      const next = h.merge('player_game_summary', dates(1, '2022-01-01'));
      await h.clock.advance(SECOND);
      assert.equal(next.state, 'pending', 'queued, not refused');
      assert.equal(h.statsOf('player_game_summary')?.rejected['dml-queue'], 0);
    });
  });

  describe('rate limits per 10 s window', function () {
    it('refuses the 26th MERGE started within 10 s with rateLimitExceeded, and admits again once the window has moved', async function () {
      const h = new LimitsHarness({ limits: { concurrentMutatingDml: 100 }, latency: { merge: { kind: 'fixed', ms: SECOND } } });
      const jobs = dates(26).map((d) => h.merge('team_defense_game_summary', [d]));
      await h.clock.advance(SECOND);
      assert.equal(jobs.filter((j) => j.state === 'fulfilled').length, 25);
      const { reason, message } = refusal(jobs[25] as Tracked<unknown>);
      assert.equal(reason, 'rateLimitExceeded');
      assert.match(message, /^Exceeded rate limits: too many table update operations for this table\./);
      assert.equal(h.statsOf('team_defense_game_summary')?.rejected['dml-rate'], 1);

      // The 25 started at 0 s count until 10 s (the window is (now - 10 s, now]).
      await h.clock.advance(10 * SECOND - 1 - h.clock.now());
      const early = h.merge('team_defense_game_summary', dates(1, '2022-01-01'));
      await h.clock.advance(1);
      const onTime = h.merge('team_defense_game_summary', dates(1, '2022-02-01'));
      await h.clock.advance(SECOND);
      assert.equal(refusal(early).reason, 'rateLimitExceeded');
      assert.equal(onTime.state, 'fulfilled');
    });

    it('per job (the default reading): a MERGE of 1,000 dates counts once against the 50 modifications per 10 s', async function () {
      // DML at 100 per window, so the 50 modifications bind first.
      const h = new LimitsHarness({ limits: { concurrentMutatingDml: 100, dmlPerWindow: 100 } });
      const big = h.merge('player_game_summary', dates(1_000, '2015-01-01'));
      const small = dates(49, '2020-01-01').map((d) => h.merge('player_game_summary', [d]));
      const fiftyFirst = h.merge('player_game_summary', dates(1, '2021-01-01'));
      await h.clock.advance(6 * SECOND);
      assert.equal(big.state, 'fulfilled');
      assert.equal(small.filter((j) => j.state === 'fulfilled').length, 49, 'the 1,000 dates took one of the 50');
      const { reason, message } = refusal(fiftyFirst);
      assert.equal(reason, 'rateLimitExceeded');
      assert.match(message, /^Exceeded rate limits: too many partitioned table update operations for this table\./);
      const stats = h.statsOf('player_game_summary');
      assert.equal(stats?.rejected['table-rate'], 1);
      assert.equal(stats?.tableModifications, 50);
      assert.equal(stats?.partitions, 1_049);
    });

    it('per partition (the other reading): the same MERGE of 1,000 dates counts 1,000 times', async function () {
      const fits = new LimitsHarness({ limits: { countPartitionModifications: 'per-partition', tableModificationsPerWindow: 1_000 } });
      const big = fits.merge('player_game_summary', dates(1_000, '2015-01-01'));
      await fits.settle();
      const one = fits.merge('player_game_summary', dates(1, '2020-01-01'));
      await fits.clock.advance(6 * SECOND);
      assert.equal(big.state, 'fulfilled');
      assert.equal(refusal(one).reason, 'rateLimitExceeded', 'the window holds 1,000 after it: one more partition is too many');
      assert.equal(fits.statsOf('player_game_summary')?.tableModifications, 1_000);

      const short = new LimitsHarness({ limits: { countPartitionModifications: 'per-partition', tableModificationsPerWindow: 999 } });
      const tooBig = short.merge('player_game_summary', dates(1_000, '2015-01-01'));
      await short.clock.advance(SECOND);
      assert.equal(refusal(tooBig).reason, 'rateLimitExceeded');

      // Under the default 50, a MERGE of more than 50 dates can never run.
      const standard = new LimitsHarness({ limits: { countPartitionModifications: 'per-partition' } });
      const fiftyOne = standard.merge('player_game_summary', dates(51));
      const fifty = standard.merge('player_game_summary', dates(50, '2020-01-01'));
      await standard.clock.advance(6 * SECOND);
      assert.equal(refusal(fiftyOne).reason, 'rateLimitExceeded');
      assert.equal(fifty.state, 'fulfilled');
    });

    it('per partition: counts every date of a MERGE, 50 per 10 s per table', async function () {
      const h = new LimitsHarness({ limits: { concurrentMutatingDml: 100, countPartitionModifications: 'per-partition' } });
      const first = h.merge('upcoming_team_game_context', dates(20, '2021-01-01'));
      const second = h.merge('upcoming_team_game_context', dates(20, '2021-02-01'));
      const third = h.merge('upcoming_team_game_context', dates(20, '2021-03-01'));
      // Refused statements do not count: 40 started, so 10 more fit.
      const fourth = h.merge('upcoming_team_game_context', dates(10, '2021-04-01'));
      // 50 are in the window now: one more date is one too many.
      const fifth = h.merge('upcoming_team_game_context', dates(1, '2021-05-01'));
      const otherTable = h.merge('upcoming_player_game_context', dates(50, '2021-01-01'));
      await h.clock.advance(6 * SECOND);
      assert.deepEqual([first, second, fourth, otherTable].map((j) => j.state), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      assert.equal(refusal(fifth).reason, 'rateLimitExceeded');
      assert.equal(refusal(third).reason, 'rateLimitExceeded');
      assert.equal(h.statsOf('upcoming_team_game_context')?.rejected['table-rate'], 2);
      assert.equal(h.statsOf('upcoming_team_game_context')?.partitions, 50);
      assert.equal(h.writesOf('upcoming_team_game_context').flatMap((w) => w.dates).length, 50);
    });

    it('rejects a job over 4,001 partitions at once, without queueing it or counting it, and runs one over 4,000', async function () {
      const h = new LimitsHarness();
      const over = h.merge('team_offense_game_summary', dates(4_001, '2015-01-01'));
      const limit = h.merge('team_offense_game_summary', dates(4_000, '2015-01-01'));
      await h.clock.advance(SECOND / 2);
      const { reason, message } = refusal(over);
      assert.equal(reason, 'invalidQuery');
      assert.equal(message, 'Too many partitions produced by query, allowed 4000, query produces at least 4001 partitions');
      assert.equal(over.at, SECOND / 2, 'refused at submission, after the time a refused job takes');
      await h.clock.advance(6 * SECOND);
      assert.equal(limit.state, 'fulfilled');
      const stats = h.statsOf('team_offense_game_summary');
      assert.equal(stats?.rejected['job-partitions'], 1);
      assert.deepEqual([stats?.jobs, stats?.partitions, stats?.tableModifications, stats?.maxQueued], [1, 4_000, 1, 0]);
    });

    it('checks the windows when a queued statement leaves the queue, and a refused head does not hold back the next', async function () {
      const h = new LimitsHarness({ limits: { concurrentMutatingDml: 1, countPartitionModifications: 'per-partition' } });
      const a = h.merge('player_game_summary', dates(30, '2021-01-01'));
      const b = h.merge('player_game_summary', dates(30, '2021-02-01'));
      const c = h.merge('player_game_summary', dates(10, '2021-03-01'));
      await h.clock.advance(6 * SECOND);
      assert.equal(a.state, 'fulfilled');
      // At 6 s the 30 partitions of `a` are still in the window: b (30 more) is refused, c (10) runs at once.
      await h.clock.advance(SECOND / 2);
      assert.equal(refusal(b).reason, 'rateLimitExceeded');
      assert.equal(b.at, 6.5 * SECOND);
      await h.clock.advance(6 * SECOND);
      assert.equal(c.state, 'fulfilled');
      assert.deepEqual(h.writes.map((w) => w.at), [6 * SECOND, 12 * SECOND]);
    });

    it('does not charge DML to the daily partition quota: 32,000 partitions in a day all run', async function () {
      const h = new LimitsHarness();
      // The same partitions each time: every rewrite is a modification.
      const jobs = [0, 1, 2, 3, 4, 5, 6, 7].map(() => h.merge('player_game_summary', dates(4_000, '2010-01-01')));
      await h.clock.advance(30 * SECOND);
      assert.equal(jobs.filter((j) => j.state === 'fulfilled').length, 8);
      const stats = h.statsOf('player_game_summary');
      assert.equal(stats?.partitions, 32_000);
      assert.equal(stats?.chargedToDailyQuota, 0);
      assert.equal(stats?.rejected['partition-daily'], 0);
    });

    it('would refuse with quotaExceeded past 30,000 a day if DML were charged, until a day has passed', async function () {
      const h = new LimitsHarness({ limits: { dailyQuotaChargesDml: true } });
      const full = [0, 1, 2, 3, 4, 5, 6].map(() => h.merge('player_game_summary', dates(4_000, '2010-01-01')));
      const toTheLimit = h.merge('player_game_summary', dates(2_000, '2010-01-01'));
      await h.clock.advance(30 * SECOND);
      assert.equal([...full, toTheLimit].filter((j) => j.state === 'fulfilled').length, 8, '30,000 exactly fit');
      const over = h.merge('player_game_summary', dates(1, '2011-01-01'));
      await h.clock.advance(SECOND);
      const { reason, message } = refusal(over);
      assert.equal(reason, 'quotaExceeded');
      assert.match(message, /^Quota exceeded: Your table exceeded quota for Number of partition modifications to a column partitioned table/);
      assert.equal(h.statsOf('player_game_summary')?.rejected['partition-daily'], 1);
      assert.equal(h.statsOf('player_game_summary')?.chargedToDailyQuota, 30_000);

      await h.clock.advance(24 * 60 * 60 * SECOND);
      const nextDay = h.merge('player_game_summary', dates(20, '2011-06-01'));
      await h.clock.advance(6 * SECOND);
      assert.equal(nextDay.state, 'fulfilled');
    });
  });

  describe('errors and time', function () {
    it('raises refusals as the client raises a failed job, which the core classifies as quota', async function () {
      const h = new LimitsHarness({ limits: { concurrentMutatingDml: 100, dmlPerWindow: 1 } });
      h.merge('player_game_summary', dates(1));
      const refused = h.merge('player_game_summary', dates(1, '2022-01-01'));
      await h.clock.advance(SECOND);
      const error = refused.error as InstanceType<typeof common.util.ApiError>;
      assert.ok(error instanceof common.util.ApiError);
      assert.equal(error.code, undefined, 'a failed job has no HTTP status');
      assert.deepEqual(Object.keys(error.errors?.[0] ?? {}).sort(), ['location', 'message', 'reason']);
      assert.equal(error.message, error.errors?.[0]?.message, 'the message is the job error\'s, as ApiError builds it');
      assert.equal(classifyError(error), 'quota');
      const wrapped = toServiceError(error, 'BigQuery job replace_player_game_summary');
      assert.ok(wrapped instanceof QuotaError);
      assert.equal(wrapped.cause, error);
    });

    it('takes the modelled latency of each job: queries, and MERGEs plus their per-date time', async function () {
      const h = new LimitsHarness({ latency: { mergePerDateMs: 100 } });
      const merge = h.merge('team_offense_game_summary', dates(10));
      let counted = false;
      void h.warehouse.countRows(tableSpec('team_offense_game_summary'), 'production', dates(10)).then(() => {
        counted = true;
      });
      let queried = false;
      const expectation = renderQuery('expectation_team_offense_game_summary', 'SELECT 1', { start_date: '2021-11-01', end_date: '2021-11-10' });
      void h.warehouse.query(expectation).then(() => {
        queried = true;
      });
      await h.clock.advance(SECOND - 1);
      assert.deepEqual([counted, queried], [false, false]);
      await h.clock.advance(1);
      assert.deepEqual([counted, queried], [true, true]);
      await h.clock.advance(5.999 * SECOND);
      assert.equal(merge.state, 'pending', '6 s + 10 dates x 0.1 s = 7 s');
      await h.clock.advance(SECOND / 1000);
      assert.equal(merge.state, 'fulfilled');
      assert.equal(merge.at, 7 * SECOND);
      assert.equal(h.warehouse.stats().queries, 2);
    });
  });
});
