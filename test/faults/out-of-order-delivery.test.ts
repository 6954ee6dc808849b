import assert from 'node:assert/strict';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import { tableSpec } from '../../shared/tables/registry.js';
import { useCloudSuite, logged, waitForLog, type LogEvent } from '../support/cloud-suite.js';
import { ReorderingQueue } from '../support/reordering-queue.js';
import { assertRunEndedExactAndTrue, driveWithScheduler, startBackfill } from '../support/scheduler-driver.js';
import { WriteLog } from '../support/write-log.js';

/**
 * Pub/Sub promises no order. Chunk messages here arrive reversed and spread over seconds; a context
 * table's messages arrive before anything it reads was written; and after the run every message
 * ever sent arrives once more, newest first. A context chunk must never run before the partitions
 * it reads are done, and a late copy must never rewrite a finished partition.
 */

// The 2018 playoffs: upcoming_player_game_context reads player_game_summary and team_defense_game_summary.
const RANGE = { start: '2018-04-14', end: '2018-04-18' } as const;
const CONTEXT = 'upcoming_player_game_context';

describe('fault: messages delivered out of order', function () {
  this.timeout(180_000);
  const cloud = useCloudSuite();

  it('runs nothing before its inputs, rewrites nothing on a late copy, and ends with every partition exact', async function () {
    const writes = new WriteLog();
    let reordering: ReorderingQueue | undefined;
    const s = await cloud.stack({
      hooks: writes.hooks,
      env: { DATES_PER_JOB: '2', MAX_IN_FLIGHT_PER_TABLE: '4' },
      wrapQueue: (queue) => (reordering = new ReorderingQueue(queue, { maxDelayMs: 1500, seed: 20180414 })),
    });
    assert.ok(reordering);
    const queue = reordering;
    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    const planned = (await s.chunkDocs()).filter((c) => c.runIds.includes(run.id));
    const contextDates = planned.filter((c) => c.table === CONTEXT).map((c) => c.gameDate).sort();
    assert.equal(contextDates.length, 5);

    // The context table's messages first, one a date, before any reconcile published anything.
    const handled = (e: LogEvent) => e.fields.table === CONTEXT && (e.message === 'nothing to do for this message' || e.message === 'chunk message processed');
    await queue.publish(contextDates.map((d): ChunkMessage => ({ v: 1, runId: run.id, table: CONTEXT, mode: 'production', dates: [d], publishedAt: Date.now() })));
    await waitForLog(s.logs, handled, contextDates.length);
    // Every date waits for its inputs: the first reads the team defense history before the playoffs (history first).
    assert.deepEqual(writes.events.map((e) => `${e.table} ${e.date}`), []);
    const waiting = logged(s.logs, 'nothing to do for this message').flatMap((e) => e.fields.skipped as Array<{ reason: string }>);
    assert.equal(waiting.length, contextDates.length);
    for (const w of waiting) assert.match(w.reason, /^waiting for (player_game_summary|team_defense_game_summary) /);

    const ended = await driveWithScheduler(s, run.id);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    await queue.settled();
    assert.deepEqual(queue.errors, [], 'every delayed message reached Pub/Sub');

    // Dependency order, from the order of the writes themselves.
    for (const e of writes.events.filter((x) => x.table === CONTEXT)) {
      for (const dep of tableSpec(CONTEXT).upstream) {
        for (const d of planned.filter((c) => c.table === dep.table && c.gameDate < e.date).map((c) => c.gameDate)) {
          assert.ok(writes.events.some((w) => w.table === dep.table && w.date === d && w.seq < e.seq), `${CONTEXT} ${e.date} was written before its input ${dep.table} ${d}`);
        }
      }
    }

    // Every message again, newest first, long after it mattered.
    const writesBefore = writes.events.length;
    const nothingBefore = logged(s.logs, 'nothing to do for this message').length;
    const replayed = await queue.replayAll();
    assert.equal(replayed, queue.history.length);
    const late = await waitForLog(s.logs, 'nothing to do for this message', nothingBefore + replayed);
    assert.equal(writes.events.length, writesBefore, 'a late copy rewrote a finished partition');
    for (const e of late.slice(nothingBefore)) {
      for (const skip of e.fields.skipped as Array<{ reason: string }>) assert.match(skip.reason, /^already (succeeded|no_source)$/);
    }

    await assertRunEndedExactAndTrue(s, run.id, RANGE);
  });
});
