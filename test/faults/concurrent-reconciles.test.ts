import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { PubSub } from '@google-cloud/pubsub';
import { FirestoreLedger } from '../../adapters/firestore/firestore-ledger.js';
import { PubSubQueue } from '../../adapters/pubsub/pubsub-queue.js';
import { healTick, reconcileTick } from '../../functions/reconcile.js';
import { createService, type Service } from '../../functions/service.js';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import { type AnalyticsTableName } from '../../shared/tables/names.js';
import { useCloudSuite, logged, type FaultStack } from '../support/cloud-suite.js';
import { firestoreClient } from '../../dev/emulators.js';
import { assertExactRows, countRows } from '../support/exact-rows.js';
import { publishesByChunk, RecordingQueue } from '../support/recording-queue.js';
import { assertCheckpointsMatchWarehouse, assertProgressMatchesLedger, assertReportMatchesWarehouse } from '../support/report-truth.js';
import { assertRunEndedExactAndTrue, driveWithScheduler, eventually, listRuns, progress, startBackfill, verifyReport } from '../support/scheduler-driver.js';
import { WriteLog } from '../support/write-log.js';

/**
 * Cloud Scheduler may fire while the last tick is still running, Pub/Sub may deliver its message
 * twice, and two function instances may each run a reconcile. Every decision reconcile acts on is a
 * compare-and-set on the chunk or run, so of two reconciles at once only one queues a chunk, one
 * ends the run, and one makes the heal run for a gap.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-18' } as const;

describe('fault: two reconciles at once', function () {
  this.timeout(180_000);
  const cloud = useCloudSuite();
  const closers: Array<() => Promise<unknown>> = [];

  afterEach(async function () {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  /** Another function instance of the same deployment: its own Firestore and Pub/Sub clients, its own id. */
  async function secondInstance(s: FaultStack, published: ChunkMessage[]): Promise<Service> {
    const db = firestoreClient(cloud.firestore, { projectId: s.projectId });
    const pubsub = new PubSub({ projectId: s.projectId, apiEndpoint: cloud.pubsub.host, emulatorMode: true });
    const queue = new RecordingQueue(new PubSubQueue({ pubsub, topic: s.config.topics.chunks }), published);
    closers.push(() => db.terminate(), () => pubsub.close(), () => queue.close());
    return createService(s.config, {
      warehouse: s.service.warehouse,
      ledger: new FirestoreLedger({ firestore: db, collectionPrefix: s.prefix }),
      queue,
      alerter: s.service.alerter,
      logger: s.logs.child({ instance: 'second' }),
      instanceId: 'fn-second-instance',
    });
  }

  it('queues each chunk once and ends the run once when every tick runs three reconciles on one instance and one on another', async function () {
    const published: ChunkMessage[] = [];
    const writes = new WriteLog();
    // No lease runs out in this test, so a chunk queued twice could only be two reconciles both winning it.
    const s = await cloud.stack({
      hooks: writes.hooks,
      env: { LEASE_MS: '60000', MAX_IN_FLIGHT_PER_TABLE: '2' },
      wrapQueue: (queue) => new RecordingQueue(queue, published),
    });
    const second = await secondInstance(s, published);
    const run = await startBackfill(s, { tables: 'all', ...RANGE });

    const ended = await driveWithScheduler(s, run.id, { copies: 3, eachTick: () => reconcileTick(second) });
    assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    assert.equal(ended.totals.succeeded, 25 + HISTORY_BEFORE_2018_PLAYOFFS);

    const queued = publishesByChunk(published);
    assert.equal(queued.size, 25 + HISTORY_BEFORE_2018_PLAYOFFS);
    assert.deepEqual([...queued].filter(([, n]) => n !== 1), [], 'chunks queued more than once');
    assert.deepEqual([...writes.counts()].filter(([, n]) => n !== 1), [], 'partitions written more than once');
    assert.equal(logged(s.logs, /^run (succeeded|failed)/).length, 1, 'the run ended once');

    await assertRunEndedExactAndTrue(s, run.id, RANGE);
  });

  it('makes one heal run when heal ticks on two instances find the same deleted partitions at once', async function () {
    const table: AnalyticsTableName = 'team_offense_game_summary';
    const writes = new WriteLog();
    const s = await cloud.stack({ hooks: writes.hooks });
    const run = await startBackfill(s, { tables: [table], ...RANGE });
    const ended = await driveWithScheduler(s, run.id);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify(ended.totals));

    // Coverage on for this table over the range, as deployed, on both instances.
    await s.reconfigure({ COVERAGE_TARGETS: JSON.stringify({ [table]: RANGE }) });
    const second = await secondInstance(s, []);
    const gone = ['2018-04-15', '2018-04-17'];
    const before = await Promise.all(gone.map((d) => countRows(s.warehouse, table, d)));
    for (const d of gone) await s.warehouse.run(`DELETE FROM nba_analytics.${table} WHERE game_date = $d::DATE`, { d });

    await Promise.all([s.topology.publishScheduler('heal', 3), healTick(second), healTick(second)]);
    const heal = await eventually('the heal run ended', async () => {
      const runs = await listRuns(s);
      const healRuns = runs.filter((r) => r.id !== run.id);
      assert.ok(healRuns.length <= 1, `more than one heal run: ${healRuns.map((r) => r.id).join(', ')}`);
      if (healRuns[0] && healRuns[0].state !== 'active') return healRuns[0];
      await s.topology.publishScheduler('reconcile', 1);
      return undefined;
    });
    assert.match(heal.id, /^heal-/);
    assert.equal(heal.state, 'succeeded', heal.outcome ?? '');
    assert.equal(heal.chunkCount, gone.length);
    assert.deepEqual((await listRuns(s)).map((r) => r.id).sort(), [heal.id, run.id].sort());
    for (const [i, d] of gone.entries()) {
      assert.equal(await countRows(s.warehouse, table, d), before[i], `${table} ${d} is back`);
      assert.ok(writes.count(table, d) >= 2, `${table} ${d} was written by the heal run`);
    }

    const chunks = (await s.chunkDocs()).filter((c) => c.runIds.includes(run.id));
    const stored = await assertExactRows(s.warehouse, { tables: [table], ...RANGE });
    assertCheckpointsMatchWarehouse(chunks, stored);
    assertProgressMatchesLedger(await progress(s, heal.id), (await s.chunkDocs()).filter((c) => c.runIds.includes(heal.id)));
    const report = await verifyReport(s, { tables: [table], ...RANGE });
    assertReportMatchesWarehouse(report, stored);
    assert.equal(report.overall.status, 'COMPLETE', report.tables[0]?.statusReason);
  });
});
