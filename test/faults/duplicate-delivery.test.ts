import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { useCloudSuite } from '../support/cloud-suite.js';
import { DuplicatingQueue } from '../support/duplicating-queue.js';
import { assertRunEndedExactAndTrue, driveWithScheduler, startBackfill } from '../support/scheduler-driver.js';
import { WriteLog } from '../support/write-log.js';

/**
 * Pub/Sub delivers at least once. Here every chunk message is published twice (both copies pushed at
 * once) and every scheduler message twice (two reconciles at once, every tick): the claim on a chunk
 * is a compare-and-set, so each partition is written once, whatever arrives.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-18' } as const;

describe('fault: every message delivered twice', function () {
  this.timeout(180_000);
  const cloud = useCloudSuite();

  it('writes each partition exactly once when every chunk message and every scheduler message arrives twice', async function () {
    const writes = new WriteLog();
    let duplicating: DuplicatingQueue | undefined;
    // A lease far longer than any chunk takes: a second write could only come from a second delivery.
    const s = await cloud.stack({
      hooks: writes.hooks,
      env: { LEASE_MS: '60000', MAX_IN_FLIGHT_PER_TABLE: '3' },
      wrapQueue: (queue) => (duplicating = new DuplicatingQueue(queue, 2)),
    });
    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    const total = 25 + HISTORY_BEFORE_2018_PLAYOFFS;
    assert.equal(run.chunkCount, total);

    const ended = await driveWithScheduler(s, run.id, { copies: 2 });
    assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    assert.equal(ended.totals.succeeded, total);

    assert.ok((duplicating?.published ?? 0) >= total, 'every chunk went out through the duplicating queue');
    const twice = [...writes.counts()].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'partitions written other than once');
    assert.equal(writes.events.length, total);

    const chunks = await assertRunEndedExactAndTrue(s, run.id, RANGE);
    for (const c of chunks) assert.equal(c.attempts, 0, `${c.id}: a duplicate must not cost an attempt`);
  });
});
