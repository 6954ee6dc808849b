import assert from 'node:assert/strict';
import { PubSub } from '@google-cloud/pubsub';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import { useCloudSuite } from '../support/cloud-suite.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from '../support/duckdb-fixtures.js';
import { exportFirestore, restartEmulator } from '../support/emulator-restart.js';
import { createPushTopology } from '../../dev/push-topology.js';
import { publishesByChunk, RecordingQueue } from '../support/recording-queue.js';
import { SCHEDULER_TICK_MS, assertRunEndedExactAndTrue, driveWithScheduler, eventually, progress, startBackfill, verifyReport } from '../support/scheduler-driver.js';

/**
 * The Pub/Sub emulator is killed mid-run and started again on the same port, empty: the messages it
 * held (chunks queued, a push whose answer never came back) are gone, and so are the topics and
 * subscriptions until the deployment makes them again. Nothing but the ledger says what is left to
 * do: reconcile must publish again every chunk whose message was lost, once its queue lease expires.
 */

const RANGE = { start: '2018-04-14', end: '2018-04-20' } as const;

describe('fault: an emulator restarted mid-run', function () {
  this.timeout(240_000);
  const cloud = useCloudSuite({ ownPubSub: true });

  it('publishes again the chunks whose messages the restarted Pub/Sub lost and ends with every partition exact', async function () {
    const published: ChunkMessage[] = [];
    let recording: RecordingQueue | undefined;
    const s = await cloud.stack({
      env: { MAX_IN_FLIGHT_PER_TABLE: '3' },
      wrapQueue: (queue) => (recording = new RecordingQueue(queue, published)),
    });
    assert.ok(recording);
    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    const midway = await driveWithScheduler(s, run.id, { until: (v) => v.totals.succeeded >= 8 });
    assert.equal(midway.run.state, 'active', 'the run ended before the restart');

    // The emulator dies the moment it has accepted a reconcile's chunk messages, before it pushes them all.
    const old = cloud.pubsub;
    let lost: readonly ChunkMessage[] = [];
    let stopped: Promise<void> | undefined;
    recording.afterPublish = (messages) => {
      if (stopped) return Promise.resolve();
      lost = messages;
      stopped = old.stop();
      return stopped;
    };
    await eventually('a reconcile published chunk messages', () => {
      // Not awaited: once the emulator is gone this publish waits for it, and fails or lands after the restart.
      s.topology.publishScheduler('reconcile', 1).catch(() => undefined);
      return stopped ? true : undefined;
    }, 30_000, SCHEDULER_TICK_MS);
    await stopped;
    recording.afterPublish = undefined;
    assert.ok(lost.length > 0);

    // Pub/Sub is down: the reports still answer, from Firestore and the warehouse, and say the run goes on.
    const down = await progress(s, run.id);
    assert.equal(down.run.state, 'active');
    const downReport = await verifyReport(s, { tables: 'all', ...RANGE });
    assert.equal(downReport.overall.status, 'IN_PROGRESS', downReport.overall.line);

    const restarted = await restartEmulator(old);
    cloud.replacePubSub(restarted);
    // The deployment's topics and push subscriptions, made again (Terraform's job in the cloud).
    const pubsub = new PubSub({ projectId: s.projectId, apiEndpoint: restarted.host, emulatorMode: true });
    try {
      await createPushTopology({ pubsub, projectId: s.projectId, topics: s.config.topics, servers: cloud.servers });
      const ended = await driveWithScheduler(s, run.id);
      assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    } finally {
      await pubsub.close();
    }
    const again = publishesByChunk(published);
    const lostIds = [...publishesByChunk(lost).keys()];
    const republished = lostIds.filter((id) => (again.get(id) ?? 0) > 1);
    assert.ok(republished.length > 0, `none of the ${lostIds.length} chunks published just before the restart was lost and published again`);

    await assertRunEndedExactAndTrue(s, run.id, RANGE);
  });
});

/**
 * The Firestore emulator (the ledger) goes away mid-run and comes back on the same port with the
 * documents it had (an export taken just before it stopped: Firestore keeps what it acknowledged).
 * While it is away every push and tick fails and Pub/Sub redelivers; nothing may be lost or done
 * twice, and the run must end exact once it is back.
 */
describe('fault: the Firestore emulator restarted mid-run', function () {
  this.timeout(300_000);
  const cloud = useCloudSuite({ ownFirestore: true });

  it('rides out the ledger going away and coming back, and ends with every partition exact and the report true', async function () {
    const s = await cloud.stack({ env: { MAX_IN_FLIGHT_PER_TABLE: '3' } });
    const run = await startBackfill(s, { tables: 'all', ...RANGE });
    const midway = await driveWithScheduler(s, run.id, { until: (v) => v.totals.succeeded >= 8 });
    assert.equal(midway.run.state, 'active', 'the run ended before the restart');

    const dir = await tempDir('firestore-export-');
    try {
      const old = cloud.firestore;
      const exported = await exportFirestore(old, s.projectId, dir.path);
      await old.stop();
      // Away for a few scheduler ticks: pushes of chunks in flight fail too, and are redelivered later.
      for (let tick = 0; tick < 3; tick += 1) {
        s.topology.publishScheduler('reconcile', 1).catch(() => undefined);
        await sleep(SCHEDULER_TICK_MS);
      }
      cloud.replaceFirestore(await restartEmulator(old, { importData: exported }));
      const ended = await driveWithScheduler(s, run.id);
      assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    } finally {
      await dir.remove();
    }
    await assertRunEndedExactAndTrue(s, run.id, RANGE);
  });
});
