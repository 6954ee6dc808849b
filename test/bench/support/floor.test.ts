import assert from 'node:assert/strict';
import { BIGQUERY_LIMITS, type BigQueryLimits, type JobLatencies } from '../../../bench/simulator/bigquery-limits.js';
import { fixedMs } from '../../../bench/simulator/latency.js';
import { evenSplit, limitsFloor, scheduleTable } from '../../../bench/support/floor.js';

/** A query 1 s, a MERGE 6 s plus `perDateMs` a date, without noise. */
function latency(perDateMs: number): JobLatencies {
  return { query: fixedMs(1_000), merge: fixedMs(6_000), mergePerDateMs: perDateMs, rejected: fixedMs(500) };
}

function limits(overrides: Partial<BigQueryLimits> = {}): BigQueryLimits {
  return { ...BIGQUERY_LIMITS, ...overrides };
}

describe('the floor the limits allow', function () {
  it('splits dates into consecutive jobs whose sizes differ by one at most', function () {
    assert.deepEqual(evenSplit(10, 3), [4, 3, 3]);
    assert.deepEqual(evenSplit(4, 4), [1, 1, 1, 1]);
    assert.equal(evenSplit(1648, 7).reduce((a, b) => a + b, 0), 1648);
  });

  describe('one table\'s schedule', function () {
    it('runs two jobs at once and starts the third when a slot frees', function () {
      assert.deepEqual(scheduleTable(limits(), latency(0), [1, 1, 1], () => 0), [6, 6, 12]);
    });

    it('per job, two MERGEs of 30 dates start together; per partition the second waits for the first to leave the 10 s window', function () {
      assert.deepEqual(scheduleTable(limits(), latency(0), [30, 30], () => 0), [6, 6]);
      assert.deepEqual(scheduleTable(limits({ countPartitionModifications: 'per-partition' }), latency(0), [30, 30], () => 0), [6, 16]);
    });

    it('starts the 26th DML statement 10 s after the first, however many slots are free', function () {
      const ends = scheduleTable(limits({ concurrentMutatingDml: 100 }), latency(0), evenSplit(26, 26), () => 0);
      assert.deepEqual(ends?.slice(24), [6, 16]);
    });

    it('has no schedule for a job over 4,000 partitions, or over 50 under the per-partition reading', function () {
      assert.equal(scheduleTable(limits(), latency(0), [4_001], () => 0), null);
      assert.deepEqual(scheduleTable(limits(), latency(0), [4_000], () => 0), [6]);
      assert.equal(scheduleTable(limits({ countPartitionModifications: 'per-partition' }), latency(0), [51], () => 0), null);
      assert.deepEqual(scheduleTable(limits({ countPartitionModifications: 'per-partition' }), latency(0), [50], () => 0), [6]);
    });
  });

  it('pipelines the dependent table behind its inputs and finds the best split (worked by hand for 4 dates)', function () {
    // Inputs in 2 jobs of 2 dates: 1 s expectations, 6 + 2 s each, side by side: done at 9. Each job of
    // upcoming_player_game_context needs the input dates before its last date, read back (1 s): ready at
    // 10, 8 s each, side by side: 18, and the last read-back: 19. One job each would give 23; 4 give 25.
    const floor = limitsFloor(limits(), latency(1_000), 4);
    assert.deepEqual([floor.inputJobs, floor.dependentJobs, floor.inputsDoneSeconds, floor.totalSeconds], [2, 2, 9, 19]);
  });

  it('is longer under the per-partition reading, where no job may pass 50 dates', function () {
    const perJob = limitsFloor(limits(), latency(100), 1_648);
    const perPartition = limitsFloor(limits({ countPartitionModifications: 'per-partition' }), latency(100), 1_648);
    assert.ok(perPartition.inputJobs >= Math.ceil(1_648 / 50), `${perPartition.inputJobs} jobs of at most 50 dates`);
    // 50 partitions per 10 s per table: 1,648 dates take at least (1,648 - 50) / 5 s after the first window.
    assert.ok(perPartition.totalSeconds > (1_648 - 50) / 5, `${perPartition.totalSeconds} s`);
    assert.ok(perJob.totalSeconds < perPartition.totalSeconds / 2, `${perJob.totalSeconds} s against ${perPartition.totalSeconds} s`);
  });
});
