import assert from 'node:assert/strict';
import {
  datesWithinRowCap, grownJobSize, initialJobSize, MAX_PARTITIONS_PER_JOB, PARTITION_PACED_DATES, partitionPacedJobSize, readJobSize, refusesJobSize, shrunkJobSize,
  TABLE_MODIFICATIONS_PER_WINDOW, waitsForWindow, type JobSizeLimits,
} from '../../../shared/chunks/job-size.js';

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
    assert.equal(grownJobSize({ dates: 96, ceiling: null, countsPartitions: false }, 10, LIMITS).dates, 96);
  });

  it('halves on a rate-limit refusal, and stays there (a stored ceiling without pacing: creeps up past it an eighth at a time)', () => {
    const refused = shrunkJobSize({ dates: 800, ceiling: null, countsPartitions: false }, 800, LIMITS);
    assert.deepEqual(refused, { dates: 400, ceiling: 400, countsPartitions: true });
    // A shrink is the partitioned-table rate's: the table counts partitions, and a job of its size stays its size.
    assert.deepEqual(grownJobSize(refused, 400, LIMITS), refused);
    // A ceiling stored by an earlier version, without the pacing: past it, the size creeps up an eighth at a time.
    assert.deepEqual(grownJobSize({ ...refused, countsPartitions: false }, 400, LIMITS), { dates: 450, ceiling: 400, countsPartitions: false });
    // Below the ceiling it doubles, never past it.
    assert.deepEqual(grownJobSize({ dates: 300, ceiling: 400, countsPartitions: false }, 300, LIMITS), { dates: 400, ceiling: 400, countsPartitions: false });
    assert.deepEqual(shrunkJobSize({ dates: 1, ceiling: 1, countsPartitions: true }, 1, LIMITS), { dates: 1, ceiling: 1, countsPartitions: true });
  });

  it('halves once for one excess: a job sent at the old size and refused after the size shrank leaves it alone', () => {
    const first = shrunkJobSize({ dates: 200, ceiling: null, countsPartitions: false }, 200, LIMITS);
    assert.deepEqual(first, { dates: 100, ceiling: 100, countsPartitions: true });
    assert.deepEqual(shrunkJobSize(first, 200, LIMITS), first, 'the second 200-date job refused: still 100');
    // A refusal of a job at the current size halves it again; a smaller refused job (a tail) sets half of itself.
    assert.deepEqual(shrunkJobSize(first, 100, LIMITS), { dates: 50, ceiling: 50, countsPartitions: true });
    assert.deepEqual(shrunkJobSize({ dates: 13, ceiling: 12, countsPartitions: true }, 13, LIMITS), { dates: 6, ceiling: 6, countsPartitions: true });
    assert.deepEqual(shrunkJobSize(first, 40, LIMITS), { dates: 20, ceiling: 20, countsPartitions: true });
  });

  it('reads a missing or malformed stored size as the initial one', () => {
    const initial = { dates: 12, ceiling: null, countsPartitions: false };
    assert.deepEqual(readJobSize(null, LIMITS), initial);
    assert.deepEqual(readJobSize({ dates: 'x' }, LIMITS), initial);
    assert.deepEqual(readJobSize({ dates: 0 }, LIMITS), initial);
    assert.deepEqual(readJobSize({ dates: 50, ceiling: 30 }, LIMITS), { dates: 50, ceiling: 30, countsPartitions: false });
    assert.deepEqual(readJobSize({ dates: 20, ceiling: 25, countsPartitions: true }, LIMITS), { dates: 20, ceiling: 25, countsPartitions: true });
    assert.deepEqual(readJobSize({ dates: 20, ceiling: 25, countsPartitions: 'yes' }, LIMITS), { dates: 20, ceiling: 25, countsPartitions: false });
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

  it('paces a table whose partitioned-table rate refused a job: two jobs share the window of 50, and growth stops there', () => {
    assert.equal(PARTITION_PACED_DATES, 25);
    const paced = partitionPacedJobSize({ dates: 200, ceiling: null, countsPartitions: false }, LIMITS);
    assert.deepEqual(paced, { dates: 25, ceiling: 25, countsPartitions: true });
    assert.deepEqual(partitionPacedJobSize({ dates: 10, ceiling: 8, countsPartitions: true }, LIMITS), { dates: 10, ceiling: 8, countsPartitions: true }, 'never larger');
    assert.equal(grownJobSize(paced, 25, LIMITS).dates, 25, 'past the ceiling it would creep up an eighth; paced, it stays');
    assert.equal(grownJobSize({ dates: 12, ceiling: 25, countsPartitions: true }, 12, LIMITS).dates, 24, 'below the paced size it doubles');
    // A job that fits one window waits for it; one larger than the window is refused for its size.
    assert.equal(waitsForWindow(paced, TABLE_MODIFICATIONS_PER_WINDOW), true);
    assert.equal(waitsForWindow(paced, TABLE_MODIFICATIONS_PER_WINDOW + 1), false);
    assert.equal(waitsForWindow({ dates: 25, ceiling: null, countsPartitions: false }, 2), false, 'not paced: the refusal may be the size');
  });
});
