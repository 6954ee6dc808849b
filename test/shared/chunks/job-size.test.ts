import assert from 'node:assert/strict';
import {
  datesWithinRowCap, grownJobSize, initialJobSize, MAX_PARTITIONS_PER_JOB, PACING_KEPT_MS, PARTITION_PACED_DATES, partitionPacedJobSize, readJobSize,
  queueOrderHoldMs, refusesJobSize, shrunkJobSize, TABLE_MODIFICATIONS_PER_WINDOW, waitsForWindow, type JobSizeLimits,
} from '../../../shared/chunks/job-size.js';
import { decodeChunkMessage } from '../../../shared/chunks/chunk-message.js';
import { LIMITS as SERVICE_LIMITS } from '../../../shared/config/defaults.js';

const LIMITS: JobSizeLimits = { initialDates: 12, maxDates: 4000, maxRows: 1000 };
const NOW = 1_000_000_000;

describe('the adaptive job size', () => {
  it('holds a pass\'s messages two by two, and never past the longest hold a message may carry', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((place) => queueOrderHoldMs(place, 4000)), [0, 0, 4000, 4000, 8000, 8000]);
    assert.equal(queueOrderHoldMs(2, 0), 0, 'no hold configured, none given');
    // DATES_PER_JOB=1 and 800 chunks in flight: 800 messages in one pass; the last ones' holds stop at the limit.
    const longest = queueOrderHoldMs(799, 4000);
    assert.equal(longest, SERVICE_LIMITS.maxHoldMs);
    const message = { v: 1, runId: 'run-1', table: 'team_offense_game_summary', mode: 'production', dates: ['2021-11-01'], publishedAt: 0 };
    assert.equal(decodeChunkMessage(JSON.stringify({ ...message, holdMs: longest })).holdMs, longest, 'a message carrying it decodes');
    assert.throws(() => decodeChunkMessage(JSON.stringify({ ...message, holdMs: longest + 1 })), /invalid chunk message/);
  });

  it('doubles while jobs of its full size succeed, up to the 4,000-partition cap', () => {
    let size = initialJobSize(LIMITS);
    const seen = [size.dates];
    for (let i = 0; i < 12; i += 1) {
      size = grownJobSize(size, size.dates, LIMITS);
      seen.push(size.dates);
    }
    assert.deepEqual(seen.slice(0, 5), [12, 24, 48, 96, 192]);
    assert.equal(size.dates, MAX_PARTITIONS_PER_JOB);
    assert.equal(readJobSize({ dates: 9000 }, { ...LIMITS, maxDates: 99_999 }, NOW).dates, MAX_PARTITIONS_PER_JOB);
  });

  it('does not grow on a job smaller than its size (the table had no more dates to give)', () => {
    assert.equal(grownJobSize({ dates: 96, ceiling: null, pacedAt: null }, 10, LIMITS).dates, 96);
  });

  it('halves on a rate-limit refusal, and stays there (a stored ceiling without pacing: creeps up past it an eighth at a time)', () => {
    const refused = shrunkJobSize({ dates: 800, ceiling: null, pacedAt: null }, 800, LIMITS, NOW);
    assert.deepEqual(refused, { dates: 400, ceiling: 400, pacedAt: NOW });
    // A shrink is the partitioned-table rate's: the table counts partitions, and a job of its size stays its size.
    assert.deepEqual(grownJobSize(refused, 400, LIMITS), refused);
    // A ceiling stored by an earlier version, without the pacing: past it, the size creeps up an eighth at a time.
    assert.deepEqual(grownJobSize({ ...refused, pacedAt: null }, 400, LIMITS), { dates: 450, ceiling: 400, pacedAt: null });
    // Below the ceiling it doubles, never past it.
    assert.deepEqual(grownJobSize({ dates: 300, ceiling: 400, pacedAt: null }, 300, LIMITS), { dates: 400, ceiling: 400, pacedAt: null });
    assert.deepEqual(shrunkJobSize({ dates: 1, ceiling: 1, pacedAt: NOW }, 1, LIMITS, NOW), { dates: 1, ceiling: 1, pacedAt: NOW });
  });

  it('halves once for one excess: a job sent at the old size and refused after the size shrank leaves it alone', () => {
    const first = shrunkJobSize({ dates: 200, ceiling: null, pacedAt: null }, 200, LIMITS, NOW);
    assert.deepEqual(first, { dates: 100, ceiling: 100, pacedAt: NOW });
    assert.deepEqual(shrunkJobSize(first, 200, LIMITS, NOW), first, 'the second 200-date job refused: still 100');
    // A refusal of a job at the current size halves it again; a smaller refused job (a tail) sets half of itself.
    assert.deepEqual(shrunkJobSize(first, 100, LIMITS, NOW), { dates: 50, ceiling: 50, pacedAt: NOW });
    assert.deepEqual(shrunkJobSize({ dates: 13, ceiling: 12, pacedAt: NOW }, 13, LIMITS, NOW), { dates: 6, ceiling: 6, pacedAt: NOW });
    assert.deepEqual(shrunkJobSize(first, 40, LIMITS, NOW), { dates: 20, ceiling: 20, pacedAt: NOW });
  });

  it('reads a missing or malformed stored size as the initial one', () => {
    const initial = { dates: 12, ceiling: null, pacedAt: null };
    assert.deepEqual(readJobSize(null, LIMITS, NOW), initial);
    assert.deepEqual(readJobSize({ dates: 'x' }, LIMITS, NOW), initial);
    assert.deepEqual(readJobSize({ dates: 0 }, LIMITS, NOW), initial);
    assert.deepEqual(readJobSize({ dates: 50, ceiling: 30 }, LIMITS, NOW), { dates: 50, ceiling: 30, pacedAt: null });
    assert.deepEqual(readJobSize({ dates: 20, ceiling: 25, pacedAt: NOW }, LIMITS, NOW), { dates: 20, ceiling: 25, pacedAt: NOW });
    assert.deepEqual(readJobSize({ dates: 20, ceiling: 25, pacedAt: 'yes' }, LIMITS, NOW), { dates: 20, ceiling: 25, pacedAt: null });
  });

  it('forgets a pacing a day old, with the ceiling it set: the size grows again until a refusal paces it anew', () => {
    const stored = { dates: 25, ceiling: 25, pacedAt: NOW };
    assert.deepEqual(readJobSize(stored, LIMITS, NOW + PACING_KEPT_MS - 1), { dates: 25, ceiling: 25, pacedAt: NOW });
    const forgotten = readJobSize(stored, LIMITS, NOW + PACING_KEPT_MS);
    assert.deepEqual(forgotten, { dates: 25, ceiling: null, pacedAt: null });
    assert.equal(grownJobSize(forgotten, 25, LIMITS).dates, 50);
    assert.equal(waitsForWindow(forgotten, 25), false);
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
    const paced = partitionPacedJobSize({ dates: 200, ceiling: null, pacedAt: null }, LIMITS, NOW);
    assert.deepEqual(paced, { dates: 25, ceiling: 25, pacedAt: NOW });
    assert.deepEqual(partitionPacedJobSize({ dates: 10, ceiling: 8, pacedAt: NOW }, LIMITS, NOW), { dates: 10, ceiling: 8, pacedAt: NOW }, 'never larger');
    assert.equal(partitionPacedJobSize(paced, LIMITS, NOW + 5000).pacedAt, NOW, 'paced since the first refusal: a later one writes nothing');
    assert.equal(grownJobSize(paced, 25, LIMITS).dates, 25, 'past the ceiling it would creep up an eighth; paced, it stays');
    assert.equal(grownJobSize({ dates: 12, ceiling: 25, pacedAt: NOW }, 12, LIMITS).dates, 24, 'below the paced size it doubles');
    // A job that fits one window waits for it; one larger than the window is refused for its size.
    assert.equal(waitsForWindow(paced, TABLE_MODIFICATIONS_PER_WINDOW), true);
    assert.equal(waitsForWindow(paced, TABLE_MODIFICATIONS_PER_WINDOW + 1), false);
    assert.equal(waitsForWindow({ dates: 25, ceiling: null, pacedAt: null }, 2), false, 'not paced: the refusal may be the size');
  });
});
