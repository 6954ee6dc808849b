import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PubSub } from '@google-cloud/pubsub';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { useCloudSuite, logged, waitForLog, type LogEvent } from '../support/cloud-suite.js';
import { assertExactRows } from '../support/exact-rows.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse, tableStatuses } from '../support/report-truth.js';
import { driveWithScheduler, listRuns, progress, startBackfill, verifyReport } from '../support/scheduler-driver.js';
import { LIMITS } from '../../shared/config/defaults.js';
import { WriteLog } from '../support/write-log.js';

/**
 * Messages nobody should have sent land on the chunks and reconcile topics beside a real run: text
 * that is not JSON, JSON of the wrong shape, SQL in a field, a chunk nobody planned, a well-formed
 * message of a run nobody started. Each must be acknowledged once (a poison message redelivered
 * forever is an outage), logged, and do nothing; the run beside them ends exact.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-18' } as const;
/** Pub/Sub's retry policy on the test subscriptions backs off at most 5 s: a nacked message is back by then. */
const REDELIVERY_WINDOW_MS = 6_000;
/** What processChunk logs when it acknowledges a message it cannot read (an empty one never becomes a chunk message at all). */
const UNREADABLE = /^(bad chunk message acknowledged \(permanent\)|poison event acknowledged)$/;
/** What the processor logs when it turns away a readable message about work nobody planned. */
const STRANGER = (e: LogEvent): boolean =>
  /^(nothing to do for this message|chunk message of a run the ledger does not know; acknowledged without work)$/.test(e.message) &&
  (e.fields.skipped as Array<{ reason: string }>).some((x) => /^(unknown chunk|no run )/.test(x.reason));

describe('fault: a poison message', function () {
  this.timeout(180_000);
  const cloud = useCloudSuite();

  it('acknowledges each poison message once, does nothing for it, and lets the run beside it end exact', async function () {
    const writes = new WriteLog();
    const s = await cloud.stack({ hooks: writes.hooks });
    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    const pubsub = new PubSub({ projectId: s.projectId, apiEndpoint: cloud.pubsub.host, emulatorMode: true });
    try {
      const chunk = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, runId: run.id, table: 'team_offense_game_summary', mode: 'production', dates: ['2018-04-16'], publishedAt: Date.now(), ...fields });
      const malformed = [
        'not json {',
        '',
        'null',
        chunk({ table: 'box_scores' }),
        chunk({ runId: "x'; DROP TABLE nba_raw.nbac_schedule; --" }),
        chunk({ dates: ['2018-02-30'] }),
        chunk({ dates: Array.from({ length: LIMITS.maxDatesPerJob + 1 }, () => '2018-04-16') }),
        chunk({ priority: 'high' }),
        // A hold no reconcile sends: longer than a minute, or negative.
        chunk({ holdMs: 3_600_000 }),
        chunk({ holdMs: -1 }),
      ];
      // Well-formed, but about nothing to do: a date nobody planned, and a run nobody started (its
      // context chunk would otherwise run before the inputs of the real run are written).
      const strangers = [
        chunk({ dates: ['2018-04-10'] }),
        chunk({ runId: 'run-20180414-20180418-000000000000', table: 'upcoming_player_game_context', dates: ['2018-04-17'] }),
      ];
      const chunksTopic = pubsub.topic(s.config.topics.chunks);
      // Pub/Sub refuses a message with neither data nor attributes; the empty one carries an attribute.
      await Promise.all([...malformed, ...strangers].map((text) => chunksTopic.publishMessage({ data: Buffer.from(text), attributes: { kind: 'chunk' } })));
      const reconcileTopic = pubsub.topic(s.config.topics.reconcile);
      await Promise.all(['DROP TABLE nba_analytics.player_game_summary', '{"kind":"purge"}', '{"kind":"reconcile","all":true}']
        .map((text) => reconcileTopic.publishMessage({ data: Buffer.from(text) })));

      await waitForLog(s.logs, UNREADABLE, malformed.length);
      const turnedAway = await waitForLog(s.logs, STRANGER, strangers.length);
      await waitForLog(s.logs, /^(scheduler message is not JSON|unknown scheduler message); acknowledged$/, 3);
      const acknowledgedAt = Date.now();
      assert.deepEqual(
        turnedAway.flatMap((e) => (e.fields.skipped as Array<{ reason: string }>).map((x) => x.reason)).sort(),
        ['no run run-20180414-20180418-000000000000', 'unknown chunk (not planned)'],
      );
      assert.deepEqual(writes.events, [], 'a poison message wrote a partition');

      const ended = await driveWithScheduler(s, run.id);
      assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
      await sleep(Math.max(0, acknowledgedAt + REDELIVERY_WINDOW_MS - Date.now()));
      assert.equal(logged(s.logs, UNREADABLE).length, malformed.length, 'a malformed chunk message came back');
      assert.equal(logged(s.logs, /^(scheduler message is not JSON|unknown scheduler message); acknowledged$/).length, 3, 'a bad scheduler message came back');
      assert.equal(logged(s.logs, STRANGER).length, strangers.length, 'a well-formed stranger came back');
    } finally {
      await pubsub.close();
    }

    const [schedule] = await s.warehouse.run<{ n: number }>('SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule');
    assert.equal(Number(schedule?.n), 1166, "the raw schedule is untouched (the fixture's 1,166 rows)");
    assert.deepEqual((await listRuns(s)).map((r) => r.id), [run.id], 'no run but the one started');
    const docs = await s.chunkDocs();
    assert.equal(docs.length, run.chunkCount, 'no checkpoint but the run\'s');
    const stored = await assertExactRows(s.warehouse, { tables: ANALYTICS_TABLES, ...RANGE });
    assertCheckpointsMatchWarehouse(docs, stored);
    assertProgressMatchesLedger(await progress(s, run.id), docs);
    const report = await verifyReport(s, { tables: 'all', ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    assert.deepEqual(tableStatuses(report), Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 'COMPLETE'])));
  });
});
