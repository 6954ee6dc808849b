import assert from 'node:assert/strict';
import { datesWithinRowCap, grownJobSize, initialJobSize, MAX_PARTITIONS_PER_JOB, readJobSize, refusesJobSize, shrunkJobSize, type JobSizeLimits } from '../../../shared/chunks/job-size.js';

const LIMITS: JobSizeLimits = { initialDates: 12, maxDates: 4000, maxRows: 1000 };

describe('the adaptive job size', () => {
  it('doubles while jobs of its full size succeed, up to the 4,000-partition cap', () => {
    let size = initialJobSize(LIMITS);
    const seen = [size.dates];
    for (let i = 0; i < 12; i += 1) {
      size = grownJobSize(size, size.dates, LIMITS);
      seen.push(size.dates);
    }
    assert.deepEqual(seen.slice(0, 5), [12, 24, 48, 96, 192]);
    assert.equal(size.dates, MAX_PARTITIONS_PER_JOB);
    assert.equal(readJobSize({ dates: 9000 }, { ...LIMITS, maxDates: 99_999 }).dates, MAX_PARTITIONS_PER_JOB);
  });

  it('does not grow on a job smaller than its size (the table had no more dates to give)', () => {
    assert.equal(grownJobSize({ dates: 96, ceiling: null }, 10, LIMITS).dates, 96);
  });

  it('halves on a rate-limit refusal and then creeps up past that ceiling an eighth at a time', () => {
    const refused = shrunkJobSize({ dates: 800, ceiling: null }, 800, LIMITS);
    assert.deepEqual(refused, { dates: 400, ceiling: 400 });
    const next = grownJobSize(refused, 400, LIMITS);
    assert.deepEqual(next, { dates: 450, ceiling: 400 });
    // Below the ceiling it doubles, never past it.
    assert.deepEqual(grownJobSize({ dates: 300, ceiling: 400 }, 300, LIMITS), { dates: 400, ceiling: 400 });
    assert.deepEqual(shrunkJobSize({ dates: 1, ceiling: 1 }, 1, LIMITS), { dates: 1, ceiling: 1 });
  });

  it('halves once for one excess: a job sent at the old size and refused after the size shrank leaves it alone', () => {
    const first = shrunkJobSize({ dates: 200, ceiling: null }, 200, LIMITS);
    assert.deepEqual(first, { dates: 100, ceiling: 100 });
    assert.deepEqual(shrunkJobSize(first, 200, LIMITS), first, 'the second 200-date job refused: still 100');
    // A refusal of a job at the current size halves it again; a smaller refused job (a tail) sets half of itself.
    assert.deepEqual(shrunkJobSize(first, 100, LIMITS), { dates: 50, ceiling: 50 });
    assert.deepEqual(shrunkJobSize({ dates: 13, ceiling: 12 }, 13, LIMITS), { dates: 6, ceiling: 6 });
    assert.deepEqual(shrunkJobSize(first, 40, LIMITS), { dates: 20, ceiling: 20 });
  });

  it('reads a missing or malformed stored size as the initial one', () => {
    assert.deepEqual(readJobSize(null, LIMITS), { dates: 12, ceiling: null });
    assert.deepEqual(readJobSize({ dates: 'x' }, LIMITS), { dates: 12, ceiling: null });
    assert.deepEqual(readJobSize({ dates: 0 }, LIMITS), { dates: 12, ceiling: null });
    assert.deepEqual(readJobSize({ dates: 50, ceiling: 30 }, LIMITS), { dates: 50, ceiling: 30 });
  });

  it('cuts a job at the row cap, keeping at least one date', () => {
    assert.equal(datesWithinRowCap([400, 400, 400], 1000), 2);
    assert.equal(datesWithinRowCap([400, 600, 1], 1000), 2);
    assert.equal(datesWithinRowCap([400, 600], 1000), 2);
    assert.equal(datesWithinRowCap([5000, 1], 1000), 1);
  });

  it('shrinks only on the partitioned table modification rate: a full DML queue or the DML rate counts statements, not partitions', () => {
    assert.equal(refusesJobSize(new Error('Exceeded rate limits: too many partitioned table update operations for this table.')), true);
    assert.equal(refusesJobSize(new Error('Resources exceeded during query execution: Too many DML statements outstanding against table t, limit is 20.')), false);
    assert.equal(refusesJobSize(new Error('Exceeded rate limits: too many table update operations for this table.')), false);
    assert.equal(refusesJobSize(new Error('Quota exceeded: Your table exceeded quota for Number of partition modifications')), false);
  });
});
