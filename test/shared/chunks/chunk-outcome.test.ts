import assert from 'node:assert/strict';
import { failJob, isReadBackMismatch, judge, settle, type OutcomeContext } from '../../../shared/chunks/chunk-outcome.js';
import type { ChunkRecord } from '../../../shared/ports/ledger.js';
import type { ExpectedDate } from '../../../shared/verify/evaluate-dates.js';

const CTX: OutcomeContext = { workerId: 'w1', now: 5_000_000, policy: { maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 8000, quotaGiveUpMs: 60_000 } };

function chunk(over: Partial<ChunkRecord> = {}): ChunkRecord {
  return {
    id: 'team_offense_game_summary:2021-11-01:production', table: 'team_offense_game_summary', gameDate: '2021-11-01', mode: 'production',
    runIds: ['r1'], state: 'running', attempts: 0, priorAttempts: 0, quotaRetries: 0, leaseOwner: 'w1', leaseExpiresAt: CTX.now + 60_000,
    nextAttemptAt: null, lastError: null, rowsWritten: null, rowsFound: null, expectedRows: null, durationMs: null,
    queuedAt: null, startedAt: CTX.now - 10, finishedAt: null, updatedAt: CTX.now - 10, ...over,
  };
}
const expect = (expectedRows: number, sourceShortGames = 0): ExpectedDate => ({ expectedRows, sourceShortGames } as ExpectedDate);

describe('the chunk outcome (pure)', () => {
  it('judges a date against its contract: read-back first, then short raw data, then the expected rows', () => {
    assert.equal(judge(chunk(), 20, 20, expect(20)).state, 'succeeded');
    const mismatch = judge(chunk(), 20, 19, expect(20));
    assert.deepEqual([mismatch.state, mismatch.error], ['failed', 'read back 19 rows but the write produced 20']);
    assert.equal(isReadBackMismatch(mismatch), true);
    assert.equal(judge(chunk(), 18, 18, expect(20, 1)).state, 'no_source');
    const short = judge(chunk(), 3, 3, expect(20));
    assert.deepEqual([short.state, short.error], ['failed', 'transform produced 3 rows, the contract expects 20']);
    assert.equal(isReadBackMismatch(short), false);
    // A date the schedule has no game on expects nothing.
    assert.equal(judge(chunk(), 0, 0, undefined).state, 'succeeded');
  });

  it('settles a success held by this worker, clearing the lease, the error and the back-off', () => {
    const s = settle(chunk({ lastError: 'old', nextAttemptAt: 1 }), judge(chunk(), 20, 20, expect(20)), 42, CTX);
    assert.deepEqual(s.transition, {
      id: chunk().id, from: ['running'], to: 'succeeded', leaseOwner: 'w1',
      patch: { rowsWritten: 20, rowsFound: 20, expectedRows: 20, durationMs: 42, finishedAt: CTX.now, leaseOwner: null, leaseExpiresAt: null, lastError: null, nextAttemptAt: null },
    });
  });

  it('settles a judged failure with an attempt and a back-off, and the last attempt as dead', () => {
    const failed = settle(chunk(), judge(chunk(), 3, 3, expect(20)), 1, CTX);
    assert.deepEqual([failed.result.state, failed.transition.to, failed.transition.patch?.attempts, failed.transition.patch?.nextAttemptAt], ['failed', 'failed', 1, CTX.now + 1000]);
    assert.equal(failed.transition.patch?.rowsWritten, 3);
    const dead = settle(chunk({ attempts: 2 }), judge(chunk(), 3, 3, expect(20)), 1, CTX);
    assert.deepEqual([dead.result.state, dead.transition.to, dead.transition.patch?.nextAttemptAt], ['dead', 'dead', null]);
  });

  it('fails a job by kind: quota backs off without an attempt, transient spends one, permanent is dead at once', () => {
    const [quota] = failJob([chunk()], 'quota', 'rateLimitExceeded', CTX);
    assert.deepEqual([quota?.result.state, quota?.transition.patch?.attempts, quota?.transition.patch?.quotaRetries, quota?.transition.patch?.nextAttemptAt], ['queued', undefined, 1, CTX.now + 1000]);
    const [transient] = failJob([chunk()], 'transient', 'backendError', CTX);
    assert.deepEqual([transient?.result.state, transient?.transition.patch?.attempts, transient?.result.error], ['failed', 1, 'backendError']);
    const [permanent] = failJob([chunk()], 'permanent', 'invalidQuery', CTX);
    assert.deepEqual([permanent?.result.state, permanent?.transition.to], ['dead', 'dead']);
    for (const s of [quota, transient, permanent]) assert.deepEqual([s?.transition.from, s?.transition.leaseOwner], [['running'], 'w1']);
  });

  it('sends the chunks of a job refused as too large back to pending at once, spending no quota back-off; otherwise quota backs off', () => {
    const refusal = 'Exceeded rate limits: too many partitioned table update operations for this table (t)';
    const two = [chunk(), chunk({ id: 'team_offense_game_summary:2021-11-02:production', gameDate: '2021-11-02', quotaRetries: 2 })];
    const tooLarge = failJob(two, 'quota', refusal, CTX, true);
    assert.deepEqual(tooLarge.map((s) => [s.result.state, s.result.error, s.transition.to, s.transition.patch?.quotaRetries, s.transition.patch?.nextAttemptAt, s.transition.patch?.leaseExpiresAt]),
      [['pending', refusal, 'pending', undefined, null, null], ['pending', refusal, 'pending', undefined, null, null]]);
    // The same refusal not judged too large (a one-date job: the processor says so) is an ordinary quota back-off.
    const backedOff = failJob(two, 'quota', refusal, CTX);
    assert.deepEqual(backedOff.map((s) => [s.transition.patch?.quotaRetries, s.transition.patch?.nextAttemptAt]), [[1, CTX.now + 1000], [3, CTX.now + 4000]]);
  });
});
