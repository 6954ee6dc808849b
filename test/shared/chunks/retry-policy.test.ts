import assert from 'node:assert/strict';
import {
  afterFailure, afterIsolationStep, afterLeaseExpired, afterQuota, afterSizeRefusal, isDue, isOutOfAttempts, isShortTermRateLimit, nextIsolationStep,
  notDueUntil, quotaWaitedMs, RATE_WAIT_BUDGET_MS, RATE_WAIT_FIRST_MS, RATE_WAIT_MAX_MS, rateWaitMs, startIsolation, type IsolationSearch, type RetryPolicy,
} from '../../../shared/chunks/retry-policy.js';

const POLICY: RetryPolicy = { maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 8000, quotaGiveUpMs: 20_000 };
const NOW = 1_000_000;

/** Runs the isolation search over `n` items of which `bad` always fail (a job fails if it holds one). */
function isolate(n: number, bad: ReadonlySet<number>, kind: 'permanent' | 'transient' = 'permanent'): { jobs: number; written: Set<number>; blamed: number[] } {
  const items = Array.from({ length: n }, (_, i) => i);
  let jobs = 1; // the job that failed first
  const written = new Set<number>();
  const blamed: number[] = [];
  let search: IsolationSearch<number> = startIsolation(items);
  for (let step = nextIsolationStep(search, kind); step; step = nextIsolationStep(search, kind)) {
    if (step.kind === 'blame') {
      blamed.push(step.item);
      search = afterIsolationStep(search, step, false);
      continue;
    }
    jobs += 1;
    const ok = !step.job.some((i) => bad.has(i));
    if (ok) for (const i of step.job) written.add(i);
    search = afterIsolationStep(search, step, ok);
  }
  return { jobs, written, blamed };
}

describe('the retry policy', () => {
  it('says a failed or backed-off chunk is due at its nextAttemptAt, not a millisecond before', () => {
    assert.equal(notDueUntil({ state: 'failed', nextAttemptAt: NOW + 1 }, NOW), NOW + 1);
    assert.equal(isDue({ state: 'failed', nextAttemptAt: NOW }, NOW), true);
    assert.equal(isDue({ state: 'queued', nextAttemptAt: NOW + 5 }, NOW), false);
    assert.equal(isDue({ state: 'queued', nextAttemptAt: null }, NOW), true);
    // A pending chunk has no back-off, whatever an old field says.
    assert.equal(isDue({ state: 'pending', nextAttemptAt: NOW + 5 }, NOW), true);
  });

  it('backs a failure off exponentially, and makes it dead at the last attempt or at once when permanent', () => {
    const first = afterFailure({ attempts: 0 }, 'transient', 'boom', NOW, POLICY);
    assert.deepEqual([first.state, first.patch.attempts, first.patch.nextAttemptAt], ['failed', 1, NOW + 1000]);
    const second = afterFailure({ attempts: 1 }, 'transient', 'boom', NOW, POLICY);
    assert.equal(second.patch.nextAttemptAt, NOW + 2000);
    const last = afterFailure({ attempts: 2 }, 'transient', 'boom', NOW, POLICY);
    assert.deepEqual([last.state, last.patch.attempts, last.patch.nextAttemptAt], ['dead', 3, null]);
    assert.equal(afterFailure({ attempts: 0 }, 'permanent', 'bad query', NOW, POLICY).state, 'dead');
    assert.equal(isOutOfAttempts({ state: 'failed', attempts: 3 }, POLICY), true);
    assert.equal(isOutOfAttempts({ state: 'failed', attempts: 2 }, POLICY), false);
  });

  it('backs quota off without an attempt until the back-offs add up to quotaGiveUpMs, then counts a failure', () => {
    // 1000 + 2000 + 4000 + 8000 = 15,000 < 20,000; one more back-off (8000) passes it.
    assert.equal(quotaWaitedMs(4, POLICY), 15_000);
    const backedOff = afterQuota({ attempts: 0, quotaRetries: 4 }, 'rateLimitExceeded', NOW, POLICY);
    assert.equal(backedOff.state, 'queued');
    assert.deepEqual([backedOff.patch.quotaRetries, backedOff.patch.nextAttemptAt, backedOff.patch.leaseExpiresAt, backedOff.patch.attempts], [5, NOW + 8000, NOW + 8000, undefined]);
    assert.equal(quotaWaitedMs(5, POLICY), 23_000);
    const givenUp = afterQuota({ attempts: 0, quotaRetries: 5 }, 'quotaExceeded', NOW, POLICY);
    assert.deepEqual([givenUp.state, givenUp.patch.attempts, givenUp.patch.quotaRetries], ['failed', 1, 0]);
    assert.match(String(givenUp.patch.lastError), /quota still refused after 5 back-offs .*quotaExceeded/);
    assert.equal(afterQuota({ attempts: 2, quotaRetries: 5 }, 'quotaExceeded', NOW, POLICY).state, 'dead');
  });

  it('waits in place for a short-term rate limit: exponential from half a second, at most a second a wait, until the budget would pass', () => {
    const waits: number[] = [];
    let waited = 0;
    for (let wait = rateWaitMs(0, 0); wait !== null; wait = rateWaitMs(waits.length, waited)) {
      waits.push(wait);
      waited += wait;
    }
    assert.deepEqual(waits.slice(0, 4), [RATE_WAIT_FIRST_MS, 2 * RATE_WAIT_FIRST_MS, RATE_WAIT_MAX_MS, RATE_WAIT_MAX_MS]);
    assert.ok(waited <= RATE_WAIT_BUDGET_MS && waited + RATE_WAIT_MAX_MS > RATE_WAIT_BUDGET_MS, `waited ${waited} ms in all`);
    assert.equal(rateWaitMs(3, RATE_WAIT_BUDGET_MS - RATE_WAIT_MAX_MS), RATE_WAIT_MAX_MS, 'the last wait that fits');
    assert.equal(rateWaitMs(3, RATE_WAIT_BUDGET_MS - RATE_WAIT_MAX_MS + 1), null);
  });

  it('waits in place only for "Exceeded rate limits": not a full DML queue, not a long-term quota', () => {
    assert.equal(isShortTermRateLimit(new Error('Exceeded rate limits: too many partitioned table update operations for this table')), true);
    assert.equal(isShortTermRateLimit(new Error('Exceeded rate limits: too many table update operations for this table')), true);
    assert.equal(isShortTermRateLimit(new Error('Resources exceeded during query execution: Too many DML statements outstanding against table t, limit is 20.')), false);
    assert.equal(isShortTermRateLimit(new Error('Quota exceeded: Your table exceeded quota for Number of partition modifications')), false);
  });

  it('sends a job refused for its size back to pending at once, nothing spent', () => {
    assert.deepEqual(afterSizeRefusal('too large'), {
      state: 'pending', patch: { lastError: 'too large', leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: null, queuedAt: null, startedAt: null },
    });
  });

  it('spends an attempt when a lease expires, due again at once', () => {
    const expired = afterLeaseExpired({ attempts: 0, leaseOwner: 'w9' }, NOW, POLICY);
    assert.deepEqual([expired.state, expired.patch.attempts, expired.patch.nextAttemptAt, expired.patch.lastError], ['failed', 1, NOW, 'lease expired (held by w9)']);
    assert.equal(afterLeaseExpired({ attempts: 2, leaseOwner: null }, NOW, POLICY).state, 'dead');
  });

  it('isolates one bad item among n in at most ceil(log2 n) + 2 jobs, writing every other item', () => {
    for (const n of [2, 3, 5, 8, 13, 31, 64, 100, 800]) {
      for (let b = 0; b < n; b += Math.max(1, Math.floor(n / 17))) {
        const { jobs, written, blamed } = isolate(n, new Set([b]));
        assert.deepEqual(blamed, [b], `n ${n}, bad ${b}`);
        assert.equal(written.size, n - 1, `n ${n}, bad ${b}`);
        assert.ok(jobs <= Math.ceil(Math.log2(n)) + 2, `n ${n}, bad ${b}: ${jobs} jobs`);
      }
    }
  });

  it('after a transient error, runs an inferred suspect alone before blaming it: one job more at most', () => {
    for (const n of [2, 5, 8, 31, 800]) {
      for (let b = 0; b < n; b += Math.max(1, Math.floor(n / 17))) {
        const { jobs, written, blamed } = isolate(n, new Set([b]), 'transient');
        assert.deepEqual([blamed, written.size], [[b], n - 1], `n ${n}, bad ${b}`);
        assert.ok(jobs <= Math.ceil(Math.log2(n)) + 3, `n ${n}, bad ${b}: ${jobs} jobs`);
      }
    }
    // The moment's error, not the date's: the inferred suspect passes on its own and nothing is blamed.
    let search: IsolationSearch<string> = startIsolation(['a', 'b']);
    const half = nextIsolationStep(search, 'transient');
    assert.deepEqual(half, { kind: 'run', job: ['a'] });
    search = afterIsolationStep(search, half, true);
    const alone = nextIsolationStep(search, 'transient');
    assert.deepEqual(alone, { kind: 'run', job: ['b'] });
    search = afterIsolationStep(search, alone, true);
    assert.equal(nextIsolationStep(search, 'transient'), null);
  });

  it('isolates two bad items too, writing everything else', () => {
    const { written, blamed } = isolate(40, new Set([3, 30]));
    assert.deepEqual(blamed.sort((a, b) => a - b), [3, 30]);
    assert.equal(written.size, 38);
  });
});
